/*
 * placeholders.c: ${NAME} substitution (see placeholders.h).
 */
#include "placeholders.h"

#include <ctype.h>
#include <string.h>

#include "strbuf.h"

static int name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

char *eddy_placeholders_fill(const char *text, const char *const *names,
                             const char *const *values, int n, eddy_error *err)
{
    eddy_strbuf out = {0};
    const char *p = text;
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *s = p + 2, *e = s;
            while (name_char(*e)) e++;
            if (*e == '}' && e > s) {
                size_t len = (size_t)(e - s);
                int found = -1;
                for (int i = 0; i < n; i++)
                    if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) found = i;
                if (found < 0) {
                    int line, col;
                    eddy_text_position(text, (size_t)(p - text), &line, &col);
                    eddy_error_set(err, EDDY_EUSAGE, line, col,
                                   "placeholder ${%.*s} has no value: pass -D %.*s=VALUE",
                                   (int)len, s, (int)len, s);
                    eddy_strbuf_free(&out);
                    return NULL;
                }
                eddy_strbuf_puts(&out, values[found]);
                p = e + 1;
                continue;
            }
        }
        eddy_strbuf_putc(&out, *p++);
    }
    return eddy_strbuf_take(&out);
}
