// Package search answers reel.SearchQuery in three modes: full-text (the
// store's own BM25 search), vector (cosine similarity of the query's
// embedding to the events', through an in-memory vindex.Index built from
// the store's vectors), and hybrid, which fuses the top Options.K of each
// by reciprocal rank (score = sum of 1/(RRFK + rank)).
//
// Mode "" is hybrid when the searcher has an embedder and the store holds
// vectors of its model, else full-text. An explicit vector or hybrid mode
// without an embedder, or whose embedder fails, is EUNSUPPORT with a hint:
// it never quietly answers with something else. Mode "" falls back to
// full-text when the embedder fails, and Result.Notice says so.
//
// Hits are capped per session (SearchQuery.PerSession) and grouped: the
// page lists sessions by their best hit, each session's hits together.
//
// EmbedPending is the embedding job: it embeds the events that have no
// vector of a model yet, in batches, each committed on its own, so a run
// that is stopped resumes where it stopped.
package search
