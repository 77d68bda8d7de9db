/* sluice.h - the one header a plugin includes. */
#ifndef SLUICE_SLUICE_H
#define SLUICE_SLUICE_H

#include <sluice/sl_version.h>
#include <sluice/sl_common.h>
#include <sluice/sl_text.h>
#include <sluice/sl_file.h>
#include <sluice/sl_buffer.h>
#include <sluice/sl_type.h>
#include <sluice/sl_array.h>
#include <sluice/sl_batch.h>
#include <sluice/sl_builder.h>
#include <sluice/sl_options.h>
#include <sluice/sl_expr.h>
#include <sluice/sl_format.h>
#include <sluice/sl_plugin.h>
#include <sluice/sl_state.h>
#include <sluice/sl_watermark.h>
#include <sluice/sl_side.h>
#include <sluice/sl_group.h>

#endif
