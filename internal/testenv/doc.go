// Package testenv finds what tests need from outside the repository: the
// shared session fixtures, which a user's clone does not have.
package testenv
