package perf

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseMonitorSample(t *testing.T) {
	f, err := os.Open("testdata/bus-signals.dbus-monitor.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sigs, err := ParseMonitor(f)
	if err != nil {
		t.Fatal(err)
	}
	// Count what the sample holds independently: one "signal " line each.
	data, _ := os.ReadFile("testdata/bus-signals.dbus-monitor.txt")
	if want := strings.Count("\n"+string(data), "\nsignal "); len(sigs) != want {
		t.Fatalf("parsed %d signals, the file has %d", len(sigs), want)
	}
	if got := sigs[0].Time; !got.Equal(time.Unix(1796312735, 885196000)) || sigs[0].Member != "NameAcquired" {
		t.Errorf("first signal: %v %q", got, sigs[0].Member)
	}
	// The routable signal of veth-nd (ifindex 4) after networkd's restart
	// (network1-PropertiesChanged.summary.txt, 1796312737.077284).
	found := false
	for _, s := range sigs {
		if s.Path == "/org/freedesktop/network1/link/_34" && s.Props["OperationalState"] == "routable" {
			found = true
			if s.Props["AddressState"] != "routable" || s.Props["OnlineState"] != "online" || s.Member != "PropertiesChanged" {
				t.Errorf("veth-nd routable signal: %+v", s)
			}
			break
		}
	}
	if !found {
		t.Error("no routable PropertiesChanged for veth-nd found")
	}
}

func TestParseMonitorNonString(t *testing.T) {
	in := `signal time=10.5 sender=:1.2 -> destination=(null destination) serial=9 path=/p; interface=org.freedesktop.DBus.Properties; member=PropertiesChanged
   string "org.freedesktop.network1.Link"
   array [
      dict entry(
         string "Count"
         variant             int32 7
      )
      dict entry(
         string "State"
         variant             string "on"
      )
   ]
method call time=11.0 sender=:1.3 -> destination=:1.2 serial=3 path=/p; interface=x; member=Y
   string "ignored"
`
	sigs, err := ParseMonitor(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 {
		t.Fatalf("got %d signals, want 1: %+v", len(sigs), sigs)
	}
	s := sigs[0]
	if s.Path != "/p" || s.Sender != ":1.2" || !s.Time.Equal(time.Unix(10, 500000000)) {
		t.Errorf("head: %+v", s)
	}
	if len(s.Props) != 1 || s.Props["State"] != "on" {
		t.Errorf("props: %v", s.Props)
	}
}

// FuzzParseMonitor: any input parses without panicking, and every signal
// it returns came from a "signal " line.
func FuzzParseMonitor(f *testing.F) {
	data, err := os.ReadFile("testdata/bus-signals.dbus-monitor.txt")
	if err != nil {
		f.Fatal(err)
	}
	// The sample's first signals (small inputs fuzz fast), up to a signal
	// boundary, and a property signal from its middle.
	head := string(data)
	if i := strings.Index(head[min(len(head), 4000):], "\nsignal "); i >= 0 {
		head = head[:min(len(head), 4000)+i+1]
	}
	f.Add(head)
	if i := strings.Index(string(data), "member=PropertiesChanged"); i >= 0 {
		mid := string(data)[strings.LastIndex(string(data)[:i], "\n")+1:]
		if j := strings.Index(mid[1:], "\nsignal "); j >= 0 {
			mid = mid[:j+2]
		}
		f.Add(mid)
	}
	f.Add("signal time=1.2 path=/a; member=M\n   string \"K\"\n   variant string \"v\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		sigs, err := ParseMonitor(strings.NewReader(in))
		if err != nil {
			return
		}
		if n := strings.Count("\n"+in, "\nsignal "); len(sigs) > n {
			t.Fatalf("%d signals from %d signal lines", len(sigs), n)
		}
	})
}
