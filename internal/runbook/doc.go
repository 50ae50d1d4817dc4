// Package runbook turns the commands of a session into something to run
// again or to read: a bash script, a markdown runbook, a makefile, a GitHub
// Actions workflow, a GitLab CI job or a Dockerfile. It works from a
// session's command events (reel.KindCommand: the command line, its exit
// code and the folder it ran in), so a shell recording and any other
// session that ran commands export alike.
//
// Every format runs the steps in order, each in the folder it ran in,
// relative to the folder the session started in. Bare cd commands and
// reel's own rec commands are left out, since each step's folder already
// says where it runs; steps that failed in the recording become comments
// unless Options.IncludeFailed. With Options.Parameterize, literals that
// two or more steps repeat (hosts, versions, image tags, paths, names) are
// defined once as variables at the top and referred to where they stood.
package runbook
