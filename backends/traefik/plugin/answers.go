package gwc

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
)

// Answers made by Traefik itself (its middlewares, its proxy) carry its plain-text bodies;
// the spec wants one JSON shape. An answer is Traefik's when its status is configured here
// and the response has no Date header at the moment the status is written: a service's
// response always has one (copied by the proxy; RFC 9110 requires it from origin servers
// with a clock), while Traefik's own answers get theirs only later, from Go's server.
func parseAnswers(in map[string]Answer) (map[int]Answer, error) {
	out := map[int]Answer{}
	for k, a := range in {
		code, err := strconv.Atoi(k)
		if err != nil {
			return nil, errors.New("answers: not a status: " + k)
		}
		if a.Status == 0 {
			a.Status = code
		}
		out[code] = a
	}
	return out, nil
}

type answerWriter struct {
	rw       http.ResponseWriter
	answers  map[int]Answer
	replaced bool
	wrote    bool
}

func (w *answerWriter) Header() http.Header {
	return w.rw.Header()
}

func (w *answerWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	a, ok := w.answers[code]
	if ok && w.rw.Header().Get("Date") == "" {
		w.replaced = true
		h := w.rw.Header()
		h.Del("Content-Length")
		h.Del("X-Content-Type-Options")
		write(w.rw, a)
		return
	}
	w.rw.WriteHeader(code)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(b), nil // Traefik's own body: dropped
	}
	return w.rw.Write(b)
}

// Flush and Hijack keep streaming and protocol upgrades working through the wrapper.
func (w *answerWriter) Flush() {
	if f, ok := w.rw.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *answerWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.rw.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("gwc: the response writer cannot be hijacked")
}
