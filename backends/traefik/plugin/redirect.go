package gwc

import (
	"net"
	"net/http"
	"strings"
)

// Redirect answers with a redirect built from the request, as the spec's `redirect` means:
// scheme, host and port are the request's unless given (a new scheme without a port drops
// the request's port, as in Gateway API); the path is kept, replaced (Path) or has its matched
// prefix replaced (Prefix -> Replacement; "" strips it); the query is kept.
type Redirect struct {
	Status      int    `json:"status,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	Host        string `json:"host,omitempty"`
	Port        string `json:"port,omitempty"`
	Path        string `json:"path,omitempty"`
	Prefix      string `json:"prefix,omitempty"`
	Replacement string `json:"replacement,omitempty"`
}

var defaultPort = map[string]string{"http": "80", "https": "443"}

func (r *Redirect) location(req *http.Request) string {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	host, port := req.Host, ""
	if h, _, err := net.SplitHostPort(req.Host); err == nil {
		host = h
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	// the port the request came in on (the listener's), whatever the Host header says, as
	// the spec (and nginx's $server_port) mean it; none when it is the scheme's default
	if addr, ok := req.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil && p != defaultPort[scheme] {
			port = p
		}
	}
	if r.Scheme != "" {
		scheme, port = r.Scheme, ""
	}
	if r.Host != "" {
		host = r.Host
	}
	if r.Port != "" {
		port = r.Port
	}
	path := req.URL.EscapedPath()
	switch {
	case r.Path != "":
		path = r.Path
	case r.Prefix != "":
		rest := strings.TrimPrefix(path, r.Prefix)
		path = r.Replacement + rest
		if path == "" {
			path = "/"
		}
	}
	out := scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	out += path
	if req.URL.RawQuery != "" {
		out += "?" + req.URL.RawQuery
	}
	return out
}
