/* test_util.c - temporary files and running the CLI for the suites. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include <sys/wait.h>
#include <unistd.h>

const char *test_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/mossa-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) { dir[0] = 0; return "/tmp"; }
    }
    return dir;
}

const char *test_path(const char *name)
{
    static char buf[8][512];
    static int slot;
    char *p = buf[slot++ & 7];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

int test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    if (len && fwrite(data, 1, len, f) != len) { fclose(f); return -1; }
    return fclose(f) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)len + 1);
    if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) len = 0;
    buf[len] = 0;
    fclose(f);
    return buf;
}

int test_cli(const char *args, char **out, char **err)
{
    const char *cli = getenv("MOSSA_CLI");
    char cmd[8192], outp[512], errp[512];
    int rc;
    static int counter;
    if (!cli || !*cli) cli = "build/mossa";
    snprintf(outp, sizeof(outp), "%s/cli-%d-%d.out", test_tmpdir(), (int)getpid(), counter);
    snprintf(errp, sizeof(errp), "%s/cli-%d-%d.err", test_tmpdir(), (int)getpid(), counter++);
    snprintf(cmd, sizeof(cmd), "%s %s </dev/null >%s 2>%s", cli, args, outp, errp);
    rc = system(cmd);
    if (out) *out = slurp(outp);
    if (err) *err = slurp(errp);
    remove(outp);
    remove(errp);
    if (rc == -1 || !WIFEXITED(rc)) return -1;
    return WEXITSTATUS(rc);
}
