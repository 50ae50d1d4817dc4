// Command reel is a flight recorder and control tower for terminal and
// AI-coding-agent sessions. See the README.
package main

func main() {}
