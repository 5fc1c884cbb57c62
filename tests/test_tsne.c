/* test_tsne.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_tsne(void)
{
    return suite_create("tsne");
}
