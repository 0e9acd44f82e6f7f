package gwc

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// Traefik 3.7's retry middleware retries on the statuses it is given, and it cannot tell its
// proxy's own answers (502 when a connection fails, 504 on a timeout, 503 without a healthy
// server) from the same statuses sent by a service. The spec's retry statuses are the
// service's; timeouts are retried only with on_timeout, and connection failures by the
// retry middleware's network-error retry (on_connect_failure), for every method since the
// service received nothing. So the `tries` job, between the retry middleware and the load
// balancer, gives Traefik's own answers (no Date header, see answers.go) statuses of their
// own: NoRetryBase+code, which the retry middleware never retries, or TimeoutRetry for a
// timeout the spec retries (then in the retry middleware's statuses). The route's answers
// middleware turns them back into the spec's answers for 502, 503 and 504.
const (
	NoRetryBase  = 90  // 502 -> 592, 503 -> 593, 504 -> 594
	TimeoutRetry = 599 // a timeout, when the spec retries timeouts
)

// Tries configures the `tries` job.
type Tries struct {
	Timeout bool `json:"timeout"` // on_timeout
}

type triesWriter struct {
	rw    http.ResponseWriter
	cfg   *Tries
	wrote bool
}

func (w *triesWriter) Header() http.Header {
	return w.rw.Header()
}

func (w *triesWriter) WriteHeader(code int) {
	if !w.wrote && w.rw.Header().Get("Date") == "" && code >= 502 && code <= 504 {
		if code == http.StatusGatewayTimeout && w.cfg.Timeout {
			code = TimeoutRetry
		} else {
			code += NoRetryBase
		}
	}
	w.wrote = true
	w.rw.WriteHeader(code)
}

func (w *triesWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.rw.Write(b)
}

// Flush and Hijack keep streaming and protocol upgrades working through the wrapper.
func (w *triesWriter) Flush() {
	if f, ok := w.rw.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *triesWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.rw.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("gwc: the response writer cannot be hijacked")
}
