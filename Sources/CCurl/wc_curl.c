#include "wc_curl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libcurl's stable ABI values (curl/curl.h), so no curl headers are needed to build. */
enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_USERPWD = 10005, OPT_READDATA = 10009, OPT_ERRORBUFFER = 10010,
    OPT_USERAGENT = 10018, OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_CUSTOMREQUEST = 10036,
    OPT_WRITEFUNCTION = 20011, OPT_READFUNCTION = 20012, OPT_HEADERFUNCTION = 20079,
    OPT_LOW_SPEED_LIMIT = 19, OPT_LOW_SPEED_TIME = 20, OPT_NOBODY = 44, OPT_UPLOAD = 46, OPT_FOLLOWLOCATION = 52,
    OPT_MAXREDIRS = 68, OPT_CONNECTTIMEOUT = 78, OPT_NETRC = 51, OPT_NOSIGNAL = 99, OPT_INFILESIZE_LARGE = 30115,
    OPT_TIMEOUT = 13, OPT_MAXFILESIZE_LARGE = 30117,
    INFO_EFFECTIVE_URL = 0x100001, INFO_RESPONSE_CODE = 0x200002, GLOBAL_DEFAULT = 3,
};

typedef void CURL;
struct slist;
static struct {
    int (*global_init)(long);
    CURL *(*easy_init)(void);
    int (*easy_setopt)(CURL *, int, ...);
    int (*easy_perform)(CURL *);
    int (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(int);
    struct slist *(*slist_append)(struct slist *, const char *);
    void (*slist_free_all)(struct slist *);
    int loaded;
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4", "libcurl-nss.so.4"};
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!handle) return;
    *(void **)&curl.global_init = dlsym(handle, "curl_global_init");
    *(void **)&curl.easy_init = dlsym(handle, "curl_easy_init");
    *(void **)&curl.easy_setopt = dlsym(handle, "curl_easy_setopt");
    *(void **)&curl.easy_perform = dlsym(handle, "curl_easy_perform");
    *(void **)&curl.easy_getinfo = dlsym(handle, "curl_easy_getinfo");
    *(void **)&curl.easy_cleanup = dlsym(handle, "curl_easy_cleanup");
    *(void **)&curl.easy_strerror = dlsym(handle, "curl_easy_strerror");
    *(void **)&curl.slist_append = dlsym(handle, "curl_slist_append");
    *(void **)&curl.slist_free_all = dlsym(handle, "curl_slist_free_all");
    if (curl.global_init && curl.easy_init && curl.easy_setopt && curl.easy_perform && curl.easy_getinfo &&
        curl.easy_cleanup && curl.easy_strerror && curl.slist_append && curl.slist_free_all) {
        curl.loaded = curl.global_init(GLOBAL_DEFAULT) == 0;
    }
}

typedef struct { char *data; size_t length; } buffer;

static size_t on_header(char *data, size_t size, size_t count, void *user) {
    buffer *b = user;
    size_t n = size * count;
    if (b->length + n > 256 * 1024) return 0; /* no server needs more header than this */
    /* A new status line starts a new block (after a redirect or a 100 Continue). */
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) b->length = 0;
    char *grown = realloc(b->data, b->length + n + 1);
    if (!grown) return 0;
    b->data = grown;
    memcpy(b->data + b->length, data, n);
    b->length += n;
    b->data[b->length] = 0;
    return n;
}

/* Where a body goes, and how much of it may come: a server may send more than it announced. */
typedef struct { FILE *file; long long written; long long max; int too_large; } sink;

static size_t on_body(char *data, size_t size, size_t count, void *user) {
    sink *s = user;
    size_t n = size * count;
    if (s->max > 0 && s->written + (long long)n > s->max) {
        s->too_large = 1;
        return 0; /* libcurl stops with a write error */
    }
    s->written += (long long)n;
    return fwrite(data, size, count, s->file) * size;
}

static size_t on_read(char *data, size_t size, size_t count, void *user) {
    return fread(data, size, count, (FILE *)user) * size;
}

int wc_http(const wc_request *request, wc_response *response) {
    memset(response, 0, sizeof *response);
    pthread_once(&once, load);
    if (!curl.loaded) {
        snprintf(response->error, sizeof response->error, "libcurl (libcurl.so.4) could not be loaded; install libcurl4");
        return -2;
    }
    CURL *easy = curl.easy_init();
    if (!easy) {
        snprintf(response->error, sizeof response->error, "curl_easy_init failed");
        return -1;
    }
    char errors[256] = {0};
    struct slist *headers = NULL;
    for (int i = 0; i < request->header_count; i++) headers = curl.slist_append(headers, request->headers[i]);
    buffer header_block = {0};
    FILE *file = NULL;
    int put = strcmp(request->method, "PUT") == 0, head = strcmp(request->method, "HEAD") == 0;
    if (request->body_path) {
        file = fopen(request->body_path, put ? "rb" : "wb");
        if (!file) {
            snprintf(response->error, sizeof response->error, "cannot open %s", request->body_path);
            curl.easy_cleanup(easy);
            curl.slist_free_all(headers);
            return -1;
        }
    }
    curl.easy_setopt(easy, OPT_URL, request->url);
    curl.easy_setopt(easy, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(easy, OPT_ERRORBUFFER, errors);
    curl.easy_setopt(easy, OPT_USERAGENT, "wheelcache");
    curl.easy_setopt(easy, OPT_FOLLOWLOCATION, put ? 0L : 1L);
    curl.easy_setopt(easy, OPT_MAXREDIRS, 10L);
    curl.easy_setopt(easy, OPT_CONNECTTIMEOUT, request->connect_timeout);
    curl.easy_setopt(easy, OPT_LOW_SPEED_LIMIT, 1000L);
    curl.easy_setopt(easy, OPT_LOW_SPEED_TIME, request->low_speed_time);
    if (request->timeout > 0) curl.easy_setopt(easy, OPT_TIMEOUT, request->timeout);
    if (request->max_bytes > 0) curl.easy_setopt(easy, OPT_MAXFILESIZE_LARGE, request->max_bytes);
    curl.easy_setopt(easy, OPT_HTTPHEADER, headers);
    curl.easy_setopt(easy, OPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(easy, OPT_HEADERDATA, &header_block);
    if (request->userpwd) curl.easy_setopt(easy, OPT_USERPWD, request->userpwd);
    else if (request->use_netrc) curl.easy_setopt(easy, OPT_NETRC, 1L); /* CURL_NETRC_OPTIONAL */
    if (head) curl.easy_setopt(easy, OPT_NOBODY, 1L);
    if (put && !file) {
        snprintf(response->error, sizeof response->error, "PUT needs a body file");
        curl.easy_cleanup(easy);
        curl.slist_free_all(headers);
        return -1;
    }
    if (put) {
        struct stat st;
        fstat(fileno(file), &st);
        curl.easy_setopt(easy, OPT_UPLOAD, 1L);
        curl.easy_setopt(easy, OPT_READFUNCTION, on_read);
        curl.easy_setopt(easy, OPT_READDATA, file);
        curl.easy_setopt(easy, OPT_INFILESIZE_LARGE, (long long)st.st_size);
    }
    /* A GET's body goes to its file; any other answer's body (a PUT's, an error page) nowhere. */
    FILE *discard = NULL;
    sink body = {put ? NULL : file, 0, request->max_bytes, 0};
    if (!body.file) body.file = discard = fopen("/dev/null", "wb");
    if (!body.file) {
        snprintf(response->error, sizeof response->error, "cannot open /dev/null");
        if (file) fclose(file);
        curl.easy_cleanup(easy);
        curl.slist_free_all(headers);
        return -1;
    }
    curl.easy_setopt(easy, OPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(easy, OPT_WRITEDATA, &body);
    int code = curl.easy_perform(easy);
    if (file) fclose(file);
    if (discard) fclose(discard);
    int result = 0;
    if (body.too_large || code == 63 /* CURLE_FILESIZE_EXCEEDED */) {
        snprintf(response->error, sizeof response->error, "the answer is larger than the %lld bytes expected", request->max_bytes);
        result = -1;
    } else if (code != 0) {
        snprintf(response->error, sizeof response->error, "%s", errors[0] ? errors : curl.easy_strerror(code));
        result = -1;
    } else {
        curl.easy_getinfo(easy, INFO_RESPONSE_CODE, &response->status);
        char *effective = NULL;
        curl.easy_getinfo(easy, INFO_EFFECTIVE_URL, &effective);
        response->effective_url = strdup(effective ? effective : request->url);
        response->headers = header_block.data ? header_block.data : strdup("");
        header_block.data = NULL;
    }
    free(header_block.data);
    curl.slist_free_all(headers);
    curl.easy_cleanup(easy);
    return result;
}

void wc_free(void *pointer) { free(pointer); }
