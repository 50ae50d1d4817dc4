// Package humanize formats numbers for people (byte sizes in binary units,
// counts with thousands separators) and reads the times people type.
package humanize
