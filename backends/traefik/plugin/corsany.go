package gwc

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// CORSAny configures the `corsAny` job, in front of a CORS headers middleware whose policy
// allows any method or any header. Traefik answers a preflight with a literal `*`, which does
// not cover Authorization (the Fetch standard leaves it out of the wildcard) and which older
// browsers do not know; the spec's "any" allows what the browser asks for, so this job puts
// the requested method and headers in place of the `*`.
type CORSAny struct {
	Methods bool `json:"methods"`
	Headers bool `json:"headers"`
}

type corsAnyWriter struct {
	rw     http.ResponseWriter
	cfg    *CORSAny
	method string // Access-Control-Request-Method
	asked  string // Access-Control-Request-Headers
	wrote  bool
}

func isPreflight(req *http.Request) bool {
	return req.Method == http.MethodOptions && req.Header.Get("Origin") != "" &&
		req.Header.Get("Access-Control-Request-Method") != ""
}

func (w *corsAnyWriter) Header() http.Header {
	return w.rw.Header()
}

func (w *corsAnyWriter) WriteHeader(code int) {
	if !w.wrote {
		h := w.rw.Header()
		if w.cfg.Methods && h.Get("Access-Control-Allow-Methods") == "*" {
			h.Set("Access-Control-Allow-Methods", w.method)
		}
		if w.cfg.Headers && h.Get("Access-Control-Allow-Headers") == "*" && w.asked != "" {
			h.Set("Access-Control-Allow-Headers", w.asked)
		}
	}
	w.wrote = true
	w.rw.WriteHeader(code)
}

func (w *corsAnyWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.rw.Write(b)
}

// Flush and Hijack keep streaming and protocol upgrades working through the wrapper.
func (w *corsAnyWriter) Flush() {
	if f, ok := w.rw.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *corsAnyWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.rw.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("gwc: the response writer cannot be hijacked")
}
