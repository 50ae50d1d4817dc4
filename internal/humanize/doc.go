// Package humanize formats numbers for people: byte sizes in binary units
// and counts with thousands separators.
package humanize
