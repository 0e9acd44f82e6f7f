// Package gwc is gatewayc's Traefik middleware: what the generated configuration needs beyond
// Traefik OSS's own middlewares. Traefik loads it from plugins-local/ next to traefik.yml
// (experimental.localPlugins) and runs it with its Go interpreter (Yaegi): standard library
// only. A middleware instance does what its configuration names (gatewayc gives each one
// job, so that each sits at its place in a router's chain): replace Traefik's own answers
// of the middlewares after it, check an API key or a JWT, count a rate limit, keep only
// WebSocket upgrades, rewrite the Host, redirect, answer itself, or tell its retry middleware
// Traefik's own answers from a service's.
package gwc

import (
	"context"
	"net/http"
	"strings"
)

// Config is one middleware's configuration (dynamic.yml: plugin.gwc).
type Config struct {
	Respond  *Answer           `json:"respond,omitempty"`
	Answers  map[string]Answer `json:"answers,omitempty"`
	APIKey   *APIKey           `json:"apiKey,omitempty"`
	JWT      *JWT              `json:"jwt,omitempty"`
	Limit    *Limit            `json:"limit,omitempty"`
	Identity string            `json:"identity,omitempty"` // with apiKey or jwt: "consumer" or "claim:NAME"
	// WebSocketOnly: the only upgrade forwarded is a WebSocket one (M7)
	WebSocketOnly bool      `json:"websocketOnly,omitempty"`
	Host          string    `json:"host,omitempty"`
	Redirect      *Redirect `json:"redirect,omitempty"`
	Tries         *Tries    `json:"tries,omitempty"`   // on a service, inside its retry middleware
	NoBody        bool      `json:"noBody,omitempty"`  // body_limit: 0
	CORSAny       *CORSAny  `json:"corsAny,omitempty"` // in front of a CORS policy allowing any method or header
}

// Answer is a response the gateway makes itself.
type Answer struct {
	Status      int               `json:"status,omitempty"`
	Body        string            `json:"body,omitempty"`
	ContentType string            `json:"contentType,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"` // "" removes the header
}

// CreateConfig is called by Traefik before it decodes the configuration into it.
func CreateConfig() *Config {
	return &Config{}
}

type middleware struct {
	next    http.Handler
	cfg     *Config
	keys    *keySet
	jwt     *verifier
	answers map[int]Answer
}

// New is called by Traefik once per router (or service) that uses the middleware.
func New(ctx context.Context, next http.Handler, cfg *Config, name string) (http.Handler, error) {
	m := &middleware{next: next, cfg: cfg}
	if cfg.APIKey != nil {
		keys, err := loadKeys(cfg.APIKey)
		if err != nil {
			return nil, err
		}
		m.keys = keys
	}
	if cfg.JWT != nil {
		v, err := newVerifier(cfg.JWT)
		if err != nil {
			return nil, err
		}
		m.jwt = v
	}
	answers, err := parseAnswers(cfg.Answers)
	if err != nil {
		return nil, err
	}
	m.answers = answers
	return m, nil
}

func (m *middleware) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if len(m.answers) > 0 {
		rw = &answerWriter{rw: rw, answers: m.answers}
	}
	if m.cfg.CORSAny != nil && isPreflight(req) {
		rw = &corsAnyWriter{rw: rw, cfg: m.cfg.CORSAny, method: req.Header.Get("Access-Control-Request-Method"),
			asked: req.Header.Get("Access-Control-Request-Headers")}
	}
	if m.cfg.Identity != "" {
		req.Header.Del(IdentityHeader) // never the client's
	}
	if m.keys != nil {
		digest := m.keys.allows(req, m.cfg.APIKey)
		if digest == "" {
			// a bare 401: the answers middleware in front of this one gives it the spec's shape
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		if m.cfg.Identity != "" {
			setIdentity(req, "key:"+digest, m.cfg.Identity == "consumer")
		}
	}
	if m.jwt != nil {
		claims, presented := m.jwt.check(req)
		if claims == nil {
			rw.Header().Set("WWW-Authenticate", bearer(m.cfg.JWT.Realm, presented))
			rw.WriteHeader(http.StatusUnauthorized) // shaped by the answers middleware
			return
		}
		if m.cfg.Identity != "" {
			val, ok := claims[identityClaim(m.cfg.Identity)]
			setIdentity(req, claimText(val), ok)
		}
	}
	if m.cfg.Limit != nil {
		if !m.cfg.Limit.allow(req) {
			rw.WriteHeader(http.StatusTooManyRequests) // shaped by the answers middleware
			return
		}
		if m.cfg.Limit.Header == IdentityHeader {
			req.Header.Del(IdentityHeader) // counted: it goes no further
		}
	}
	if m.cfg.NoBody && refusesBody(req) {
		rw.WriteHeader(http.StatusRequestEntityTooLarge) // shaped by the answers middleware
		return
	}
	if m.cfg.WebSocketOnly {
		if up := req.Header.Get("Upgrade"); up != "" {
			if strings.EqualFold(strings.TrimSpace(up), "websocket") {
				req.Header.Set("Upgrade", "websocket")
			} else {
				req.Header.Del("Upgrade")
			}
		}
	}
	if m.cfg.Host != "" {
		req.Host = m.cfg.Host
	}
	if m.cfg.Redirect != nil {
		rw.Header().Set("Location", m.cfg.Redirect.location(req))
		rw.WriteHeader(m.cfg.Redirect.Status)
		return
	}
	if m.cfg.Respond != nil {
		write(rw, *m.cfg.Respond)
		return
	}
	if m.cfg.Tries != nil {
		rw = &triesWriter{rw: rw, cfg: m.cfg.Tries}
	}
	m.next.ServeHTTP(rw, req)
}

// write sends an answer as configured.
func write(rw http.ResponseWriter, a Answer) {
	h := rw.Header()
	for k, v := range a.Headers {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	if a.Body != "" {
		ct := a.ContentType
		if ct == "" {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
	}
	rw.WriteHeader(a.Status)
	if a.Body != "" {
		_, _ = rw.Write([]byte(a.Body))
	}
}
