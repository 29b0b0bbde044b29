#ifndef WC_CURL_H
#define WC_CURL_H
#include <stddef.h>

/// One HTTP request through libcurl, which is loaded with dlopen on first use so that
/// wheelcache's start-up (and its cache hits) never pay for loading it.
typedef struct {
    const char *method;          /* "GET", "HEAD" or "PUT" */
    const char *url;
    const char *const *headers;  /* "Name: value" lines */
    int header_count;
    const char *userpwd;         /* "user:password" or NULL */
    const char *body_path;       /* GET: where the body goes; PUT: the file to send; may be NULL */
    long connect_timeout;        /* seconds */
    long low_speed_time;         /* seconds below 1 kB/s before giving up */
    int use_netrc;               /* read credentials from ~/.netrc when the URL has none */
    long long max_bytes;         /* GET: a body larger than this fails the request (0: no limit) */
    long timeout;                /* seconds for the whole request (0: none beyond the stall bound) */
} wc_request;

typedef struct {
    long status;
    char *headers;               /* the last response's header block (malloc'd; free with wc_free) */
    char *effective_url;         /* malloc'd */
    char error[256];
} wc_response;

/// 0 on success (any HTTP status), else a transport failure with `error` set. -2: libcurl missing.
int wc_http(const wc_request *request, wc_response *response);
void wc_free(void *pointer);

#endif
