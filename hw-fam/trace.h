#include "trace/trace-hw_fam.h"
