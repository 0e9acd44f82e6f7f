package gwc

import (
	"io"
	"net/http"
)

// refusesBody tells whether a request carries a body, for `body_limit: 0` (no body at all;
// Traefik's buffering middleware takes 0 as no limit). A declared length says so at once; a
// body of unknown length (chunked) is read for one byte, and an empty one is passed on empty.
func refusesBody(req *http.Request) bool {
	if req.ContentLength > 0 {
		return true
	}
	if req.ContentLength == 0 || req.Body == nil || req.Body == http.NoBody {
		return false
	}
	n, _ := io.ReadFull(req.Body, make([]byte, 1))
	if n > 0 {
		return true
	}
	req.Body = http.NoBody
	req.ContentLength = 0
	return false
}
