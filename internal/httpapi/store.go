package httpapi

import (
	"context"
	"time"

	"github.com/reel-sh/reel"
)

// StoreClient is a reel.Store through a daemon: it reads sessions,
// events, search hits, checkpoints and statistics through the API.
// Writing batches, reading cursors and raw records stay with the store
// itself, so Apply, Cursor and RawRecords are EUNSUPPORT, with a hint.
type StoreClient struct{ c *Client }

var _ reel.Store = (*StoreClient)(nil)

// Store returns the client's reel.Store view.
func (c *Client) Store() *StoreClient { return &StoreClient{c: c} }

// storeOnly is the error of a store method the API does not serve.
func storeOnly(what string) error {
	return reel.Errorf(reel.EUNSUPPORT, "%s goes to the store itself, not through the daemon", what).
		WithHint("open the store directly for this")
}

// Apply is EUNSUPPORT: the daemon's own sync writes batches.
func (s *StoreClient) Apply(context.Context, ...*reel.Batch) error { return storeOnly("apply") }

// Cursor is EUNSUPPORT: cursors belong to the sync that writes them.
func (s *StoreClient) Cursor(context.Context, string) (reel.Cursor, error) {
	return reel.Cursor{}, storeOnly("reading a cursor")
}

// RawRecords is EUNSUPPORT: the export route serves a session's raw
// records (format native); see Client.Export.
func (s *StoreClient) RawRecords(context.Context, string, func(reel.RawRecord) error) error {
	return storeOnly("reading raw records")
}

// Session returns the session whose id is ref or starts with it.
func (s *StoreClient) Session(ctx context.Context, ref string) (reel.Session, error) {
	return s.c.Session(ctx, ref)
}

// Sessions returns the sessions that match f, most recently active first.
func (s *StoreClient) Sessions(ctx context.Context, f reel.Filter) ([]reel.Session, error) {
	return s.c.Sessions(ctx, f)
}

// Events returns a session's events in seq order, filtered by f's Kinds,
// Roles, Since and Until (event time in [Since, Until)) and Limit, as
// reel.Store's Events does.
func (s *StoreClient) Events(ctx context.Context, sessionID string, f reel.Filter) ([]reel.Event, error) {
	q := reel.EventQuery{Session: sessionID, From: f.Since, Kinds: f.Kinds, Roles: f.Roles, Limit: f.Limit}
	if !f.Until.IsZero() {
		q.To = f.Until.Add(-time.Nanosecond) // the route's To is inclusive
	}
	return s.c.Events(ctx, q)
}

// Search returns the events that best match q, best first.
func (s *StoreClient) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	return s.c.Search(ctx, q)
}

// Stats returns the store's statistics from the daemon's status.
func (s *StoreClient) Stats(ctx context.Context) (reel.StoreStats, error) { return s.c.Stats(ctx) }

// Checkpoints returns a session's checkpoints, ordered by seq.
func (s *StoreClient) Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error) {
	return s.c.Checkpoints(ctx, sessionID)
}

// PutCheckpoint checkpoints c.SessionID with c.Label and c.State at its
// current end; EINVALID if c sets an id, time or seq (see
// Client.PutCheckpoint).
func (s *StoreClient) PutCheckpoint(ctx context.Context, c reel.Checkpoint) error {
	return s.c.PutCheckpoint(ctx, c)
}

// Close closes the client's idle connections.
func (s *StoreClient) Close() error { return s.c.Close() }
