// The gateway's options: each a flag and a PARTYDEV_* environment variable
// (a flag wins), validated at start, listed by --help, as the C++ binaries
// do (common/config.cc).

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

type option struct {
	flag, env, def, help string
}

var options = []option{
	{"listen", "PARTYDEV_GATEWAY_LISTEN", "0.0.0.0:8080", "HTTP address of the REST API, /openapi.json and /healthz"},
	{"membership", "PARTYDEV_MEMBERSHIP_ADDR", "127.0.0.1:50051", "membershipd's gRPC address"},
	{"quota", "PARTYDEV_QUOTA_ADDR", "127.0.0.1:50052", "quotad's gRPC address"},
	{"notification", "PARTYDEV_NOTIFICATION_ADDR", "127.0.0.1:50053", "notifyd's gRPC address"},
	{"auth", "PARTYDEV_AUTH", "jwt", "jwt (pass the Authorization header on) or dev (also pass x-partydev-sub/-org/-roles, as the services' development mode reads them)"},
	{"backend_ca", "PARTYDEV_GATEWAY_BACKEND_CA", "", "CA of the services' certificates (PEM): TLS to the backends; plaintext when unset"},
	{"backend_cert", "PARTYDEV_GATEWAY_BACKEND_CERT", "", "Client certificate (PEM) for mutual TLS to the backends"},
	{"backend_key", "PARTYDEV_GATEWAY_BACKEND_KEY", "", "Client private key (PEM) for mutual TLS to the backends"},
	{"backend_server_name", "PARTYDEV_GATEWAY_BACKEND_SERVER_NAME", "", "Name checked in the backends' certificates (default: the host of each address)"},
	{"max_message_bytes", "PARTYDEV_MAX_MESSAGE_BYTES", "16777216", "Largest response message read from a backend"},
	{"drain_seconds", "PARTYDEV_DRAIN_SECONDS", "25", "On SIGTERM, how long in-flight requests (and streams) may take before being cut"},
}

type config struct {
	listen, auth                                string
	backends                                    map[string]string // membership, quota, notification
	backendCA, backendCert, backendKey, tlsName string
	maxMessageBytes, drainSeconds               int
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: partydev-gateway [--option=value ...]\n\n"+
		"REST/JSON for portals in front of membershipd, quotad and notifyd (grpc-gateway).\n"+
		"Every option is also read from its environment variable; a flag wins.\n\n")
	for _, o := range options {
		fmt.Fprintf(w, "  --%-20s %-37s %s\n", o.flag, o.env, o.help)
		if o.def != "" {
			fmt.Fprintf(w, "  %-60s default: %s\n", "", o.def)
		}
	}
}

// parseConfig reads flags over environment over defaults; a bad value is an
// error (the caller exits 2).
func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("partydev-gateway", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := map[string]*string{}
	for _, o := range options {
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		values[o.flag] = fs.String(o.flag, def, o.help)
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c := config{
		listen: *values["listen"],
		auth:   *values["auth"],
		backends: map[string]string{
			"membership":   *values["membership"],
			"quota":        *values["quota"],
			"notification": *values["notification"],
		},
		backendCA:   *values["backend_ca"],
		backendCert: *values["backend_cert"],
		backendKey:  *values["backend_key"],
		tlsName:     *values["backend_server_name"],
	}
	if c.auth != "jwt" && c.auth != "dev" {
		return c, fmt.Errorf("--auth must be jwt or dev, not %q", c.auth)
	}
	if !strings.Contains(c.listen, ":") {
		return c, fmt.Errorf("--listen must be host:port, not %q", c.listen)
	}
	for name, address := range c.backends {
		if !strings.Contains(address, ":") {
			return c, fmt.Errorf("--%s must be host:port, not %q", name, address)
		}
	}
	if (c.backendCert == "") != (c.backendKey == "") {
		return c, fmt.Errorf("--backend_cert and --backend_key go together")
	}
	if c.backendCert != "" && c.backendCA == "" {
		return c, fmt.Errorf("--backend_cert needs --backend_ca")
	}
	for _, file := range []string{c.backendCA, c.backendCert, c.backendKey} {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); err != nil {
			return c, err
		}
	}
	var err error
	if c.maxMessageBytes, err = intOption(values, "max_message_bytes", 1024, 1<<30); err != nil {
		return c, err
	}
	if c.drainSeconds, err = intOption(values, "drain_seconds", 0, 3600); err != nil {
		return c, err
	}
	return c, nil
}

func intOption(values map[string]*string, name string, min, max int) (int, error) {
	n, err := strconv.Atoi(*values[name])
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("--%s must be an integer in [%d, %d], not %q", name, min, max, *values[name])
	}
	return n, nil
}
