#include "trace/trace-hw_fame.h"
