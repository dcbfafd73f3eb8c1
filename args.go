package main

import (
	"strconv"
	"strings"
)

// options are the command-line flags.
type options struct {
	configDir                        string
	checkConfig, dump, version, help bool
}

const usage = `usage: network-broker [-config-dir DIR] [-check-config | -dump | -version]
  -config-dir DIR  configuration directory: network-broker.yaml and the hook
                   directories (default /etc/network-broker)
  -check-config    validate the configuration, print the effective one and exit
  -dump            print the JSON link objects scripts would see and exit
  -version         print the version and exit
`

// boolFlag returns the field of the boolean flag name, or nil.
func (o *options) boolFlag(name string) *bool {
	switch name {
	case "check-config":
		return &o.checkConfig
	case "dump":
		return &o.dump
	case "version":
		return &o.version
	}
	return nil
}

// parseArgs reads the flags as Go's flag package does (-name or --name,
// -name=value or -name value, booleans as -name or -name=false), without
// the flag package, whose reflection-based formatting costs the binary
// more than this function.
func parseArgs(args []string) (options, error) {
	o := options{configDir: "/etc/network-broker"}
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if name == "h" || name == "help" {
			// Any form asks for help, as with the flag package: -h=false
			// must not start the daemon.
			o.help = true
			return o, nil
		}
		if b := o.boolFlag(name); b != nil {
			*b = true
			if hasValue {
				v, err := strconv.ParseBool(value)
				if err != nil {
					return o, textError(quoted("invalid boolean value ", value, " for -"+name))
				}
				*b = v
			}
			continue
		}
		if name != "config-dir" {
			return o, textError("flag provided but not defined: " + a)
		}
		if !hasValue {
			if len(args) == 0 {
				return o, textError("flag needs an argument: " + a)
			}
			value, args = args[0], args[1:]
		}
		o.configDir = value
	}
	if len(args) > 0 {
		return o, textError(quoted("unexpected argument ", args[0], ""))
	}
	return o, nil
}
