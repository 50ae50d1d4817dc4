// Package vindex is reel's in-memory vector index: cosine top-k over int8
// quantised vectors (one scale per vector, as vecstore stores them), with
// an IVF coarse quantiser (k-means centroids, nprobe lists searched) once
// the index is large enough, and exact search below that or when a filter
// leaves too few candidates in the probed lists.
//
// Filters (reel.Filter's Sources, Project, SessionID, Since/Until, Kinds,
// Roles) are checked per candidate before its dot product, so a filter
// makes a search cheaper, never wrong.
package vindex
