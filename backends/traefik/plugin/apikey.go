package gwc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strings"
)

// APIKey names where the key is and where the valid keys are: an environment variable
// (comma-separated keys) or a file (one key per line), read when Traefik loads the
// configuration. Only SHA-256 digests of the keys are kept.
type APIKey struct {
	Header string `json:"header,omitempty"`
	Query  string `json:"query,omitempty"`
	Env    string `json:"env,omitempty"`
	File   string `json:"file,omitempty"`
	Hide   bool   `json:"hide,omitempty"` // remove the key from the request before it goes on
}

type keySet struct {
	digests map[[32]byte]bool
}

func loadKeys(c *APIKey) (*keySet, error) {
	var raw []string
	switch {
	case c.Env != "":
		raw = strings.Split(os.Getenv(c.Env), ",")
	case c.File != "":
		data, err := os.ReadFile(c.File)
		if err != nil {
			return nil, err
		}
		raw = strings.Split(string(data), "\n")
	default:
		return nil, errors.New("apiKey: neither env nor file")
	}
	ks := &keySet{digests: map[[32]byte]bool{}}
	for _, k := range raw {
		k = strings.TrimSpace(k)
		if k != "" {
			ks.digests[sha256.Sum256([]byte(k))] = true
		}
	}
	return ks, nil
}

// allows returns the key's SHA-256 digest (hex) when the key is valid, else "".
func (ks *keySet) allows(req *http.Request, c *APIKey) string {
	var key string
	if c.Header != "" {
		key = req.Header.Get(c.Header)
	} else {
		key = req.URL.Query().Get(c.Query)
	}
	if key == "" {
		return ""
	}
	d := sha256.Sum256([]byte(key))
	if !ks.digests[d] {
		return ""
	}
	if c.Hide {
		hide(req, c)
	}
	return hex.EncodeToString(d[:])
}

func hide(req *http.Request, c *APIKey) {
	if c.Header != "" {
		req.Header.Del(c.Header)
		return
	}
	q := req.URL.Query()
	q.Del(c.Query)
	req.URL.RawQuery = q.Encode()
	req.RequestURI = req.URL.RequestURI()
}
