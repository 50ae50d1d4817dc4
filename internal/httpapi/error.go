package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/reel-sh/reel"
)

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is what a client learns of an error: its reel code, a
// message for people and, where the user can act, a hint.
type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// statusOf maps a reel error code to its HTTP status. It is the one such
// mapping; the client maps statuses back only through the error body's
// code.
func statusOf(code string) int {
	switch code {
	case reel.ENOTFOUND:
		return http.StatusNotFound
	case reel.EAMBIGUOUS, reel.ECONFLICT:
		return http.StatusConflict
	case reel.EINVALID:
		return http.StatusBadRequest
	case reel.EBUSY:
		return http.StatusLocked
	case reel.EUNSUPPORT:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError // ECORRUPT, EINTERNAL and anything else
}

// statusError gives an error a status other than its code's: 413, 401,
// 421 and 429 are about the request's transport, not reel's domain.
type statusError struct {
	status int
	err    *reel.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// withStatus returns err answered with status instead of its code's.
func withStatus(status int, err *reel.Error) error { return &statusError{status: status, err: err} }

// writeError answers err. An internal error's detail goes to the log,
// never to the client: it may hold paths, SQL or a driver's words.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := reel.ErrorCode(err)
	status := statusOf(code)
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	d := errorDetail{Code: code, Message: err.Error(), Hint: reel.ErrorHint(err)}
	if code == reel.EINTERNAL {
		level := slog.LevelError
		if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
			level = slog.LevelDebug // the client went away; nobody reads the answer
		}
		log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		d = errorDetail{Code: code, Message: "internal error", Hint: "the daemon's log has the details"}
	}
	writeJSON(w, status, errorBody{Error: d})
}

// buffers holds the buffers responses are encoded into.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON answers v as JSON with status. HTML characters are not
// escaped: the API is not a web page, and event text is full of < and &.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if b, ok := v.(encoded); ok {
		writeBody(w, status, b)
		return
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep the pool from holding a huge export of events
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every response type encodes; a failure here is a bug, and the
		// status line is not sent yet.
		buf.Reset()
		json.NewEncoder(buf).Encode(errorBody{Error: errorDetail{Code: reel.EINTERNAL, Message: "internal error"}})
		status = http.StatusInternalServerError
	}
	writeBody(w, status, buf.Bytes())
}

// Header values every JSON response sets, made once.
var (
	jsonType = []string{"application/json"}
	nosniff  = []string{"nosniff"}
)

// writeBody answers the JSON body b with status.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["X-Content-Type-Options"] = nosniff
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}
