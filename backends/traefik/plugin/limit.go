package gwc

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limit is a token bucket shared by every middleware instance with the same Budget, in
// this Traefik instance: Traefik builds a router's middlewares for that router alone, so
// its own rateLimit cannot count the routes of one budget that forward to different
// services together. Refilled at Rate tokens a second, holding Burst; the key is the client
// address or the value of Header (absent: the empty value). A refused request gets a bare
// 429 that the answers middleware shapes.
type Limit struct {
	Budget string  `json:"budget,omitempty"`
	Rate   float64 `json:"rate,omitempty"`
	Burst  float64 `json:"burst,omitempty"`
	Header string  `json:"header,omitempty"`
}

type bucket struct {
	tokens, rate, burst float64
	last                time.Time
}

// package state: one interpreter holds every instance of the plugin
var (
	limitMu sync.Mutex
	buckets = map[string]*bucket{}
	seen    int
)

func (l *Limit) allow(req *http.Request) bool {
	var key string
	if l.Header != "" {
		key = req.Header.Get(l.Header)
	} else if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		key = host
	} else {
		key = req.RemoteAddr
	}
	key = l.Budget + "\x00" + strconv.Itoa(len(l.Header)) + l.Header + "\x00" + key
	now := time.Now()
	limitMu.Lock()
	defer limitMu.Unlock()
	seen++
	if seen%4096 == 0 {
		sweep(now)
	}
	b, ok := buckets[key]
	if !ok {
		b = &bucket{tokens: l.Burst, rate: l.Rate, burst: l.Burst, last: now}
		buckets[key] = b
	}
	b.tokens = math.Min(l.Burst, b.tokens+now.Sub(b.last).Seconds()*l.Rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep forgets the buckets that have filled up again: a new one starts full, the same.
func sweep(now time.Time) {
	for k, b := range buckets {
		if b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst {
			delete(buckets, k)
		}
	}
}
