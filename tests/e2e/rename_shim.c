/* LD_PRELOAD shim for the kill-at-every-rename test: counts the process's rename() calls (every
 * publish of an atomic file or checkpoint folder goes through one) and, with
 * CHORUS_RENAME_KILL_AT=k, sends itself SIGKILL just before the k-th, so the test stops a stage
 * exactly between two publishes. CHORUS_RENAME_LOG names a file that gets one line per rename
 * ("<n> <from> <to>"), appended before it happens. Faster than a debugger breakpoint: no symbols
 * of libtorch to load for each of the runs. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int renames;

static void before_rename(const char* from, const char* to) {
  const int n = atomic_fetch_add(&renames, 1) + 1;
  const char* log = getenv("CHORUS_RENAME_LOG");
  if (log && *log) {
    char line[8192];
    const int len = snprintf(line, sizeof line, "%d %s %s\n", n, from, to);
    const int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      if (len > 0) (void)!write(fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
      close(fd);
    }
  }
  const char* at = getenv("CHORUS_RENAME_KILL_AT");
  if (at && atoi(at) == n) kill(getpid(), SIGKILL);
}

int rename(const char* from, const char* to) {
  static int (*real)(const char*, const char*);
  if (!real) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  before_rename(from, to);
  return real(from, to);
}

int renameat(int fromDir, const char* from, int toDir, const char* to) {
  static int (*real)(int, const char*, int, const char*);
  if (!real) real = (int (*)(int, const char*, int, const char*))dlsym(RTLD_NEXT, "renameat");
  before_rename(from, to);
  return real(fromDir, from, toDir, to);
}
