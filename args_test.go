package main

import "testing"

func TestParseArgs(t *testing.T) {
	def := "/etc/network-broker"
	for _, c := range []struct {
		args []string
		want options
		err  string
	}{
		{nil, options{configDir: def}, ""},
		{[]string{"-config-dir", "/x"}, options{configDir: "/x"}, ""},
		{[]string{"--config-dir=/y", "-dump"}, options{configDir: "/y", dump: true}, ""},
		{[]string{"-check-config", "--version"}, options{configDir: def, checkConfig: true, version: true}, ""},
		{[]string{"-dump=false", "-check-config=1"}, options{configDir: def, checkConfig: true}, ""},
		{[]string{"-h"}, options{configDir: def, help: true}, ""},
		{[]string{"-dump", "--help=false", "-nope"}, options{configDir: def, dump: true, help: true}, ""},
		{[]string{"-h=x"}, options{configDir: def, help: true}, ""},
		{[]string{"--", "-dump"}, options{}, `unexpected argument "-dump"`},
		{[]string{"-dump", "extra"}, options{}, `unexpected argument "extra"`},
		{[]string{"-config-dir"}, options{}, "flag needs an argument: -config-dir"},
		{[]string{"-nope"}, options{}, "flag provided but not defined: -nope"},
		{[]string{"-dump=maybe"}, options{}, `invalid boolean value "maybe" for -dump`},
	} {
		got, err := parseArgs(c.args)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("parseArgs(%q) error = %v, want %s", c.args, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseArgs(%q) = %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}
