#include "test_format.h"
int tf_add_enc(void)
{
	return 0;
}
