// Package tui is reel's interactive search, `reel search -i`: a query line
// whose results update as the user types, filters on keys (source,
// project, time range, kind), a preview of the events around the selected
// hit, and keys to open the session in a pager or print the command that
// resumes it.
//
// The Model never blocks its goroutine: searches and preview loads run as
// tea.Cmds. Each change of the query or a filter bumps a generation number
// and, after a short debounce, starts a search whose context cancels the
// previous one; a result that arrives for an older generation is dropped.
package tui
