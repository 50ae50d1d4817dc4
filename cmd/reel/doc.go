// Command reel is a flight recorder and control tower for terminal and
// AI-coding-agent sessions. All of it lives in internal/cli; main only
// wires signals and the process's streams to cli.Main. See the README.
package main
