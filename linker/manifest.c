/* manifest.c — the image manifest: built from the checked program, read
 * back from an image's `.loam.manifest` section, printed for people or tools
 * (spec/image.md). The text is line-oriented and versioned so that the
 * kernel and `loam inspect` can parse it without a JSON library. */
#include "link.h"
#include "check.h"
#include "types.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string in the arena. */
typedef struct Text {
    Arena *arena;
    char *buf;
    size_t len, cap;
} Text;

static void put(Text *t, const char *s) {
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        while (cap < t->len + n + 1) cap *= 2;
        t->buf = arena_grow(t->arena, t->buf, t->len, cap);
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

static const char *param_text(const Param *p, char *buf, size_t size) {
    const Type *t = p->sym && p->sym->type ? p->sym->type : NULL;
    if (!t) return "?";
    if (t->kind == TY_DO) return t->mode == MODE_OUT ? "out Blob" : t->is_list ? "in [Blob]" : "in Blob";
    return type_name(t, buf, size);
}

char *manifest_text(Arena *arena, const Program *program, int root, const char *triple, const char *kind) {
    Text t = {.arena = arena};
    char line[512], type[128];
    put(&t, "loam-manifest 1\n");
    snprintf(line, sizeof line, "compiler loam %s\n", LOAM_VERSION);
    put(&t, line);
    snprintf(line, sizeof line, "target %s %s\n", triple, kind);
    put(&t, line);
    for (uint32_t i = 0; i < program->items.len; i++) {
        const Item *item = program->items.items[i];
        if (item->kind != I_TASK) continue;
        snprintf(line, sizeof line, "task %s%s\n", item->name, (int)i == root ? " root" : "");
        put(&t, line);
        for (uint32_t k = 0; k < item->params.len; k++) {
            const Param *p = item->params.items[k];
            snprintf(line, sizeof line, "param %s %s\n", p->name, param_text(p, type, sizeof type));
            put(&t, line);
        }
    }
    return t.buf;
}

/* ---- reading an image ---- */

static char *read_file(const char *path, size_t *size, char *error, size_t error_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(error, error_size, "cannot open '%s'", path);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) die("out of memory reading '%s'", path);
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        if (cap >= (size_t)1 << 30) {
            snprintf(error, error_size, "'%s' is too large to be a Loam image", path);
            free(buf);
            fclose(f);
            return NULL;
        }
        cap *= 2;
        buf = realloc(buf, cap);
    }
    fclose(f);
    *size = len;
    return buf;
}

char *manifest_read(const char *path, char *error, size_t error_size) {
    size_t size;
    char *image = read_file(path, &size, error, error_size);
    if (!image) return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    char *result = NULL;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) {
        snprintf(error, error_size, "'%s' is not a 64-bit ELF file, so not a Loam image", path);
        goto done;
    }
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
        (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shstrndx >= eh->e_shnum) {
        snprintf(error, error_size, "'%s' has a damaged section table", path);
        goto done;
    }
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(image + eh->e_shoff);
    const Elf64_Shdr *names = &sections[eh->e_shstrndx];
    if (names->sh_offset > size || names->sh_size > size - names->sh_offset) {
        snprintf(error, error_size, "'%s' has a damaged section table", path);
        goto done;
    }
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *s = &sections[i];
        if (s->sh_name >= names->sh_size) continue;
        const char *name = image + names->sh_offset + s->sh_name;
        size_t room = names->sh_size - s->sh_name;
        if (strnlen(name, room) == room || strcmp(name, ".loam.manifest") != 0) continue;
        if (s->sh_offset > size || s->sh_size > size - s->sh_offset) break;
        result = malloc(s->sh_size + 1);
        if (!result) die("out of memory");
        memcpy(result, image + s->sh_offset, s->sh_size);
        result[s->sh_size] = 0;
        result[strnlen(result, s->sh_size)] = 0;   /* the section may be NUL-padded */
        goto done;
    }
    snprintf(error, error_size, "'%s' has no Loam manifest: it was not built by 'loam build'", path);
done:
    free(image);
    return result;
}

/* ---- printing ---- */

static void json_string(FILE *out, const char *s, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

/* Splits the line at *p into up to 4 space-separated words (the last takes
 * the rest of the line, so "param x in Blob" gives "param","x","in Blob"). */
static int split_line(const char **p, const char *word[4], size_t length[4], int max) {
    const char *s = *p, *end = strchr(s, '\n');
    if (!end) end = s + strlen(s);
    int n = 0;
    while (s < end && n < max) {
        const char *space = n == max - 1 ? end : memchr(s, ' ', (size_t)(end - s));
        if (!space) space = end;
        word[n] = s;
        length[n++] = (size_t)(space - s);
        s = space < end ? space + 1 : end;
    }
    *p = *end ? end + 1 : end;
    return n;
}

void manifest_print(const char *manifest, bool json, FILE *out) {
    if (!json) {
        fputs(manifest, out);
        return;
    }
    const char *p = manifest;
    bool in_task = false, first_task = true, first_param = true;
    fputs("{", out);
    while (*p) {
        const char *w[4];
        size_t n[4];
        int count = split_line(&p, w, n, 3);
        if (count == 0) continue;
        if (n[0] == 13 && strncmp(w[0], "loam-manifest", 13) == 0 && count > 1) {
            fputs("\"manifest\":", out);
            fprintf(out, "%.*s", (int)n[1], w[1]);
        } else if (n[0] == 8 && strncmp(w[0], "compiler", 8) == 0 && count > 2) {
            fputs(",\"compiler\":", out);
            json_string(out, w[2], n[2]);
        } else if (n[0] == 6 && strncmp(w[0], "target", 6) == 0 && count > 2) {
            fputs(",\"target\":", out);
            json_string(out, w[1], n[1]);
            fputs(",\"kind\":", out);
            json_string(out, w[2], n[2]);
        } else if (n[0] == 4 && strncmp(w[0], "task", 4) == 0 && count > 1) {
            fputs(in_task ? "]}" : "", out);
            fputs(first_task ? ",\"tasks\":[" : ",", out);
            fputs("{\"name\":", out);
            json_string(out, w[1], n[1]);
            fprintf(out, ",\"root\":%s,\"params\":[", count > 2 && n[2] == 4 && strncmp(w[2], "root", 4) == 0 ? "true" : "false");
            in_task = true;
            first_task = false;
            first_param = true;
        } else if (n[0] == 5 && strncmp(w[0], "param", 5) == 0 && count > 2 && in_task) {
            fputs(first_param ? "{\"name\":" : ",{\"name\":", out);
            json_string(out, w[1], n[1]);
            fputs(",\"type\":", out);
            json_string(out, w[2], n[2]);
            fputc('}', out);
            first_param = false;
        }
    }
    if (in_task) fputs("]}]", out);
    else if (first_task) fputs(",\"tasks\":[]", out);
    fputs("}\n", out);
}
