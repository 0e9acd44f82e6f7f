package gwc

import (
	"net"
	"net/http"
	"strings"
)

// IdentityHeader carries the verified identity a rate limit keyed by consumer or claim counts
// (M4): set by the auth job once the credential is verified, read by the rate limit, removed
// before the request goes upstream. Whatever a client sends in it is dropped first.
const IdentityHeader = "X-Gwc-Identity"

// An auth job's `identity` says what it puts in IdentityHeader: "consumer" (JWT sub, API
// key digest) or "claim:NAME"; when the verified credential has none, the client's address.
func identityClaim(identity string) string {
	if strings.HasPrefix(identity, "claim:") {
		return identity[len("claim:"):]
	}
	return "sub" // the consumer, for a JWT
}

func setIdentity(req *http.Request, value string, ok bool) {
	if !ok || value == "" {
		value = clientAddr(req)
	}
	req.Header.Set(IdentityHeader, value)
}

func clientAddr(req *http.Request) string {
	if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		return "addr:" + host
	}
	return "addr:" + req.RemoteAddr
}
