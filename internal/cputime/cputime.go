// Package cputime reads the CPU time the process has used, so that
// benchmarks on a shared, noisy machine can report throughput per CPU second
// (a figure that holds while other work runs) beside wall-clock figures.
package cputime
