#include "test_format.h"
int tf_add_avro(void)
{
	return 0;
}
