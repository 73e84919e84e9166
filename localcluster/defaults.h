/* defaults.h — what the real API server fills in on write: the scheme's
 * defaulting (SetDefaults_*), admission defaults that tests read back
 * (a pod's service account, default tolerations, priority) and each
 * strategy's PrepareForCreate/PrepareForUpdate (status reset, a Job's
 * generated selector). Plugged into the store through resource.c. */
#ifndef KONDUKTOR_LC_DEFAULTS_H
#define KONDUKTOR_LC_DEFAULTS_H

#include <cjson/cJSON.h>

void prepare_namespace(cJSON *obj, const cJSON *old);
void prepare_pod(cJSON *obj, const cJSON *old);
void prepare_service(cJSON *obj, const cJSON *old);
void prepare_job(cJSON *obj, const cJSON *old);
void prepare_jobset(cJSON *obj, const cJSON *old);
void prepare_secret(cJSON *obj, const cJSON *old);

void default_namespace(cJSON *obj);
void default_pod(cJSON *obj);
void default_service(cJSON *obj);
void default_secret(cJSON *obj);
void default_job(cJSON *obj);
void default_jobset(cJSON *obj);

/* Pod spec defaults shared by Pods and pod templates. */
void default_pod_spec(cJSON *spec);
/* "Guaranteed", "Burstable" or "BestEffort" for a pod spec. */
const char *pod_qos_class(const cJSON *spec);

#endif
