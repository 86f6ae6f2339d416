// Reads all of stdin, echoes it uppercased, then prints byte/line/word counts.
#include <stdio.h>
#include <ctype.h>
int main(void) {
    long bytes = 0, lines = 0, words = 0;
    int c, inword = 0;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') lines++;
        if (isspace(c)) inword = 0;
        else if (!inword) { inword = 1; words++; }
        putchar(toupper(c));
    }
    printf("\nbytes=%ld lines=%ld words=%ld\n", bytes, lines, words);
    return 0;
}
