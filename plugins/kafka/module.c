/* module.c - kafka.so: the Kafka source and sink (kafka.h). */
#include "kafka.h"

extern const sl_plugin kafka_source_plugin;
extern const sl_plugin kafka_sink_plugin;

SL_MODULE(kafka, &kafka_source_plugin, &kafka_sink_plugin)
