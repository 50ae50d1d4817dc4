package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reel-sh/reel"
)

// maxTries is how many times an operation is tried when it fails for a
// reason that another try may not meet: a serialization failure, a
// deadlock, a lost connection.
const maxTries = 5

// retry runs fn until it succeeds, fails for good, or has been tried
// maxTries times, pausing between tries for a random time that doubles
// each try (about 10, 20, 40, 80 ms). Every operation it wraps may run
// twice: Apply is idempotent, and reads have no effect.
func (s *Store) retry(ctx context.Context, fn func(context.Context) error) error {
	for try := 1; ; try++ {
		err := fn(ctx)
		if err == nil || try == maxTries || !retryable(err) || ctx.Err() != nil {
			return err
		}
		s.retries.Add(1)
		base := time.Duration(5<<try) * time.Millisecond
		pause := base/2 + rand.N(base)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// retryable reports whether err may not happen again: a serialization
// failure or a deadlock (the transaction was rolled back and can run
// again), or a connection that failed or was lost (a new one may work).
func retryable(err error) bool {
	var f final
	if errors.As(err, &f) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", // serialization_failure
			"40P01", // deadlock_detected
			"57P01", // admin_shutdown: the backend was terminated
			"57P02", // crash_shutdown
			"57P03": // cannot_connect_now: the server is starting
			return true
		}
		return pe.Code[:2] == "08" // connection exceptions
	}
	return connectionLost(err)
}

// final marks an error that must not be retried.
type final struct{ error }

func (f final) Unwrap() error { return f.error }

// connectionLost reports whether err says the connection failed rather
// than the statement.
func connectionLost(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// wrap turns a driver error into a reel.Error when its cause is one users
// can act on, and otherwise wraps it as "op: err". Messages name the
// database by its URL without the password; pgx's own messages never
// hold it either.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *reel.Error
	if errors.As(err, &re) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := func(code, msg, hint string) error {
		return &reel.Error{Code: code, Message: fmt.Sprintf("%s: %s", op, msg), Hint: hint, Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return e(reel.EINVALID, "database "+s.location+" refused the login",
				"check the user and password (in the URL, PGPASSWORD or ~/.pgpass)")
		case pe.Code == "3D000":
			return e(reel.EINVALID, "database "+s.location+" does not exist",
				"create it (createdb NAME) or fix the URL")
		case pe.Code == "3F000":
			return e(reel.EINVALID, "database "+s.location+" has no schema to create reel's tables in",
				"add schema=NAME to the URL, or create the schema that search_path names")
		case pe.Code == "42501":
			return e(reel.EINVALID, "database "+s.location+" does not let this user "+op,
				"grant the user the privileges reel needs on the schema (CREATE, or SELECT, INSERT, UPDATE, DELETE)")
		case pe.Code == "53300":
			return e(reel.EBUSY, "database "+s.location+" has too many connections",
				"try again, or lower pool_max_conns in the URL")
		case pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03":
			return e(reel.EINTERNAL, "lost the connection to PostgreSQL at "+s.location,
				"check that the server is running; try again")
		case pe.Code == "40001" || pe.Code == "40P01":
			return e(reel.EBUSY, "database "+s.location+" kept conflicting with other writers", "try again")
		case pe.Code == "25006": // read_only_sql_transaction: a standby
			return e(reel.EINVALID, "database "+s.location+" is read-only", "connect to the primary server")
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	if connectionLost(err) {
		return e(reel.EINTERNAL, "cannot reach PostgreSQL at "+s.location,
			"check that the server is running and that the URL "+s.location+" is right")
	}
	return fmt.Errorf("%s: %w", op, err)
}
