/* file_sink.h - the file sink's descriptor, for the module that holds both
 * file plugins (plugins/sources/file/source.c). */
#ifndef SLUICE_PLUGINS_FILE_SINK_H
#define SLUICE_PLUGINS_FILE_SINK_H

#include <sluice/sluice.h>

extern const sl_plugin slp_file_sink;

#endif
