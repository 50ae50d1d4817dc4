package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// queryInt reads the integer parameter name, def when absent.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, reel.Errorf(reel.EINVALID, "query parameter %q: %q is not an integer", name, v)
	}
	return n, nil
}

// queryTime reads the RFC 3339 time parameter name, the zero time when
// absent.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, reel.Errorf(reel.EINVALID, "query parameter %q: %q is not an RFC 3339 time", name, v).
			WithHint("write times as 2026-01-02T15:04:05Z or with an offset, +01:00")
	}
	return t, nil
}

// queryList reads the list parameter name: every value, each split at
// commas, blanks dropped.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// decodeBody reads the request's JSON body into v. An empty body leaves
// v as it is when optional, and is EINVALID otherwise. Unknown fields,
// trailing data and a body over the route's cap (413) are refused.
func decodeBody(r *http.Request, v any, optional bool) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == io.EOF {
		if optional {
			return nil
		}
		return reel.Errorf(reel.EINVALID, "request body is empty; %s %s needs a JSON object", r.Method, r.URL.Path)
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("data after the JSON value")
			if terr != nil {
				err = terr
			}
		}
	}
	if err != nil {
		return bodyError(err)
	}
	return nil
}

// bodyError turns a body's read or decode error into reel's.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return withStatus(http.StatusRequestEntityTooLarge,
			reel.Errorf(reel.EINVALID, "request body is over %s", sizeName(mbe.Limit)))
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		return reel.Errorf(reel.EINVALID, "request body: field %q: %s is not a %s", ute.Field, ute.Value, ute.Type)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return reel.Errorf(reel.EINVALID, "request body: %s", msg)
}

// sizeName names a byte count in MiB when it is whole.
func sizeName(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
