// TEMPORARY until the hostres branch merges: delete then.
#include "vmm/hostres.h"

const char *hostres_type_name(enum host_region_type type)
{
	static const char *const names[] = { "msi", "direct", "direct-relaxable", "reserved", "peer-bar" };

	return (unsigned int)type < 5 ? names[type] : "?";
}
