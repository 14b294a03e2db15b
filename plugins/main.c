/* main.c - one binary, several names: perf-stap, trace-cmd-stap, and a
 * git-style trace-cmd dispatcher. (placeholder until the CLI lands) */
#include <stdio.h>
int main(void) { fputs("staplet: not built yet\n", stderr); return 1; }
