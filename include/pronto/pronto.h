// pronto/pronto.h — everything a pronto user (or generated code) includes.
#pragma once

#include "pronto/access_log.h"
#include "pronto/channel.h"
#include "pronto/client_call.h"
#include "pronto/client_context.h"
#include "pronto/compression.h"
#include "pronto/interceptor.h"
#include "pronto/metadata.h"
#include "pronto/metrics.h"
#include "pronto/server.h"
#include "pronto/service.h"
#include "pronto/spawn.h"
#include "pronto/status.h"
#include "pronto/task.h"
#include "pronto/tls.h"
