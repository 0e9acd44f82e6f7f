package gwc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"hash"
	"math/big"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// JWT verifies a JSON Web Token with the same meaning as gatewayc's other targets: the
// allowed algorithms only; the HMAC secret from an environment variable or a file (read
// when Traefik loads the configuration) or public keys (PEM, from the spec's JWKS file,
// chosen by `kid`); exp (required unless AllowNoExp), nbf, clock skew, iss, aud and the
// required claims; claims copied into request headers (always removed from the client's
// request first); the token removed when Hide.
type JWT struct {
	Algorithms  []string          `json:"algorithms,omitempty"`
	SecretEnv   string            `json:"secretEnv,omitempty"`
	SecretFile  string            `json:"secretFile,omitempty"`
	Keys        []PublicKey       `json:"keys,omitempty"`
	Issuer      string            `json:"issuer,omitempty"`
	Audiences   []string          `json:"audiences,omitempty"`
	Required    []string          `json:"required,omitempty"`
	ClockSkewMs int               `json:"clockSkewMs,omitempty"`
	AllowNoExp  bool              `json:"allowNoExp,omitempty"`
	Header      string            `json:"header,omitempty"`
	Scheme      string            `json:"scheme,omitempty"`
	Query       string            `json:"query,omitempty"`
	Cookie      string            `json:"cookie,omitempty"`
	Forward     map[string]string `json:"forward,omitempty"` // claim -> request header
	Hide        bool              `json:"hide,omitempty"`
	Realm       string            `json:"realm,omitempty"`
}

// PublicKey is one key of the spec's JWKS, as PEM SubjectPublicKeyInfo.
type PublicKey struct {
	Kid string `json:"kid,omitempty"`
	PEM string `json:"pem,omitempty"`
}

type verifier struct {
	cfg    *JWT
	secret []byte
	keys   []parsedKey
	algs   map[string]bool
}

type parsedKey struct {
	kid string
	key interface{}
}

func newVerifier(c *JWT) (*verifier, error) {
	v := &verifier{cfg: c, algs: map[string]bool{}}
	for _, a := range c.Algorithms {
		v.algs[a] = true
	}
	switch {
	case c.SecretEnv != "":
		v.secret = []byte(os.Getenv(c.SecretEnv))
	case c.SecretFile != "":
		data, err := os.ReadFile(c.SecretFile)
		if err != nil {
			return nil, err
		}
		v.secret = []byte(strings.TrimRight(string(data), "\r\n"))
	}
	for _, k := range c.Keys {
		block, _ := pem.Decode([]byte(k.PEM))
		if block == nil {
			return nil, errors.New("jwt: a key is not PEM")
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		v.keys = append(v.keys, parsedKey{kid: k.Kid, key: pub})
	}
	return v, nil
}

// check returns the claims of a valid token (nil: none), and whether a token came.
func (v *verifier) check(req *http.Request) (map[string]interface{}, bool) {
	for _, h := range v.cfg.Forward {
		req.Header.Del(h) // never the client's
	}
	token := v.token(req)
	if token == "" {
		return nil, false
	}
	claims, ok := v.verify(token)
	if !ok {
		return nil, true
	}
	for claim, h := range v.cfg.Forward {
		if val, present := claims[claim]; present {
			req.Header.Set(h, claimText(val))
		}
	}
	if v.cfg.Hide {
		v.hide(req)
	}
	return claims, true
}

func (v *verifier) token(req *http.Request) string {
	c := v.cfg
	switch {
	case c.Header != "":
		val := req.Header.Get(c.Header)
		if c.Scheme == "" {
			return val
		}
		if len(val) > len(c.Scheme) && strings.EqualFold(val[:len(c.Scheme)], c.Scheme) && val[len(c.Scheme)] == ' ' {
			return strings.TrimSpace(val[len(c.Scheme)+1:])
		}
		return ""
	case c.Query != "":
		return req.URL.Query().Get(c.Query)
	case c.Cookie != "":
		if ck, err := req.Cookie(c.Cookie); err == nil {
			return ck.Value
		}
	}
	return ""
}

func (v *verifier) hide(req *http.Request) {
	c := v.cfg
	switch {
	case c.Header != "":
		req.Header.Del(c.Header)
	case c.Query != "":
		q := req.URL.Query()
		q.Del(c.Query)
		req.URL.RawQuery = q.Encode()
		req.RequestURI = req.URL.RequestURI()
	case c.Cookie != "":
		var keep []string
		for _, ck := range req.Cookies() {
			if ck.Name != c.Cookie {
				keep = append(keep, ck.Name+"="+ck.Value)
			}
		}
		req.Header.Del("Cookie")
		if len(keep) > 0 {
			req.Header.Set("Cookie", strings.Join(keep, "; "))
		}
	}
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func (v *verifier) verify(token string) (map[string]interface{}, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	var head struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	hb, err := b64(parts[0])
	if err != nil || json.Unmarshal(hb, &head) != nil || !v.algs[head.Alg] {
		return nil, false
	}
	// RFC 7515 4.1.11: `crit` names extensions the reader must understand; this one
	// understands none, so a token that has it (whatever its value) is invalid
	if head.Crit != nil {
		return nil, false
	}
	sig, err := b64(parts[2])
	if err != nil || !v.signatureOK(head.Alg, head.Kid, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, false
	}
	cb, err := b64(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]interface{}
	dec := json.NewDecoder(strings.NewReader(string(cb)))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return nil, false
	}
	if !v.claimsOK(claims) {
		return nil, false
	}
	return claims, true
}

func hasher(alg string) (func() hash.Hash, crypto.Hash) {
	switch alg[2:] {
	case "256":
		return sha256.New, crypto.SHA256
	case "384":
		return sha512.New384, crypto.SHA384
	default:
		return sha512.New, crypto.SHA512
	}
}

func (v *verifier) signatureOK(alg, kid string, input, sig []byte) bool {
	newHash, id := hasher(alg)
	if strings.HasPrefix(alg, "HS") {
		if len(v.secret) == 0 {
			return false
		}
		mac := hmac.New(newHash, v.secret)
		mac.Write(input)
		return hmac.Equal(mac.Sum(nil), sig)
	}
	h := newHash()
	h.Write(input)
	digest := h.Sum(nil)
	for _, k := range v.keys {
		if kid != "" && k.kid != "" && k.kid != kid {
			continue
		}
		switch pub := k.key.(type) {
		case *rsa.PublicKey:
			if strings.HasPrefix(alg, "RS") && rsa.VerifyPKCS1v15(pub, id, digest, sig) == nil {
				return true
			}
		case *ecdsa.PublicKey:
			size := (pub.Curve.Params().BitSize + 7) / 8
			if strings.HasPrefix(alg, "ES") && len(sig) == 2*size {
				r := new(big.Int).SetBytes(sig[:size])
				s := new(big.Int).SetBytes(sig[size:])
				if ecdsa.Verify(pub, digest, r, s) {
					return true
				}
			}
		}
	}
	return false
}

func number(v interface{}) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

func (v *verifier) claimsOK(claims map[string]interface{}) bool {
	now := float64(time.Now().UnixNano()) / 1e9
	skew := float64(v.cfg.ClockSkewMs) / 1000
	if raw, present := claims["exp"]; present {
		exp, ok := number(raw)
		if !ok || now >= exp+skew {
			return false
		}
	} else if !v.cfg.AllowNoExp {
		return false
	}
	if raw, present := claims["nbf"]; present {
		nbf, ok := number(raw)
		if !ok || now < nbf-skew {
			return false
		}
	}
	if v.cfg.Issuer != "" {
		if iss, _ := claims["iss"].(string); iss != v.cfg.Issuer {
			return false
		}
	}
	if len(v.cfg.Audiences) > 0 && !audienceOK(claims["aud"], v.cfg.Audiences) {
		return false
	}
	for _, c := range v.cfg.Required {
		if _, present := claims[c]; !present {
			return false
		}
	}
	return true
}

func audienceOK(aud interface{}, want []string) bool {
	var got []string
	switch a := aud.(type) {
	case string:
		got = []string{a}
	case []interface{}:
		for _, x := range a {
			if s, ok := x.(string); ok {
				got = append(got, s)
			}
		}
	}
	for _, g := range got {
		for _, w := range want {
			if g == w {
				return true
			}
		}
	}
	return false
}

func claimText(v interface{}) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func bearer(realm string, presented bool) string {
	out := "Bearer realm=\"" + realm + "\""
	if presented {
		out += ", error=\"invalid_token\""
	}
	return out
}
