/* value.h - the runtime's values: the vocabulary (frontend/base_types.h)
 * and the handler string arena (frontend/base_arena.h).
 *
 * Strings produced while a handler runs live in a scratch arena that is
 * reset after each handler; anything that outlives the handler (array keys
 * and values, global scalars) is copied by its owner.
 */
#ifndef ST_RUNTIME_VALUE_H
#define ST_RUNTIME_VALUE_H

#include "frontend/base_arena.h"
#include "frontend/base_types.h"

#endif
