/* kubectl_complete.c — kubectl_complete-konduktor: the program kubectl
 * (>= 1.26) runs to complete `kubectl konduktor …`, with the words typed
 * after "konduktor", the last one being the word under the cursor. */
#include "complete.h"
#include "log.h"

int main(int argc, char **argv)
{
	log_set_program("kubectl_complete-konduktor");
	return complete_main(argc - 1, argv + 1, true);
}
