// Package unixsock listens on a private unix socket, the daemon's only
// guard on its API: mode 0600 in a folder of the user's own, mode 0700. A
// socket left by a dead server is replaced only when nothing answers on
// it; a live one is EBUSY; a file that is not a socket is never removed.
package unixsock
