{{/* The release's base name: the release's own when it says accordeer, else <release>-accordeer. */}}
{{- define "accordeer.fullname" -}}
{{- if contains "accordeer" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-accordeer" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A service's resource name: <fullname>-<service>, '_' as '-'. Call with (list $ $service). */}}
{{- define "accordeer.service" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "accordeer.fullname" $root) ((index . 1).name | replace "_" "-") -}}
{{- end -}}

{{- define "accordeer.labels" -}}
app.kubernetes.io/name: accordeer
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service's pods. Call with (list $ $service). */}}
{{- define "accordeer.selector" -}}
app.kubernetes.io/name: accordeer
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ (index . 1).name | replace "_" "-" }}
{{- end -}}

{{- define "accordeer.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "accordeer.kafkaBootstrap" -}}
{{- .Values.kafka.bootstrapServers | default (printf "%s-kafka-bootstrap:9093" .Values.kafka.cluster) -}}
{{- end -}}

{{- define "accordeer.databaseHost" -}}
{{- .Values.database.host | default (printf "%s-rw" .Values.database.cluster.name) -}}
{{- end -}}

{{- define "accordeer.databaseCa" -}}
{{- .Values.database.caSecret | default (printf "%s-ca" .Values.database.cluster.name) -}}
{{- end -}}

{{/* The Secret holding a PostgreSQL role's password (basic-auth: username, password). Call with (list $ role). */}}
{{- define "accordeer.roleSecret" -}}
{{- printf "%s-db-%s" (include "accordeer.fullname" (index . 0)) ((index . 1) | trimPrefix "accordeer_" | replace "_" "-") -}}
{{- end -}}

{{/* The PostgreSQL roles (shared/db/roles.py): the owner, the reader and one per service. */}}
{{- define "accordeer.roles" -}}
{{- $roles := list "accordeer_owner" "accordeer_reader" -}}
{{- range .Values.services -}}
{{- $roles = append $roles (printf "accordeer_%s" .name) -}}
{{- end -}}
{{- toJson $roles -}}
{{- end -}}

{{/* What every process of ours needs: Kafka as <principal> over TLS with SCRAM, PostgreSQL as <role>.
     Call with (list $ principal role). */}}
{{- define "accordeer.commonEnv" -}}
{{- $root := index . 0 -}}
{{- $principal := index . 1 -}}
{{- $role := index . 2 -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ include "accordeer.kafkaBootstrap" $root | quote }}
- name: ACCORDEER_KAFKA_SECURITY
  value: scram
- name: ACCORDEER_KAFKA_USERNAME
  value: {{ $principal | quote }}
- name: ACCORDEER_KAFKA_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $principal | quote }}, key: password}
- name: ACCORDEER_KAFKA_CA_FILE
  value: /etc/accordeer/kafka-ca/ca.crt
- name: ACCORDEER_KAFKA_ENVIRONMENT
  value: cluster
- name: ACCORDEER_TOPIC_PREFIX
  value: {{ $root.Values.kafka.topicPrefix | quote }}
- name: DB_USER
  valueFrom:
    secretKeyRef: {name: {{ include "accordeer.roleSecret" (list $root $role) }}, key: username}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "accordeer.roleSecret" (list $root $role) }}, key: password}
- name: DATABASE_URL
  value: {{ printf "postgresql://$(DB_USER):$(DB_PASSWORD)@%s:%v/%s?sslmode=verify-full&sslrootcert=/etc/accordeer/db-ca/ca.crt" (include "accordeer.databaseHost" $root) $root.Values.database.port $root.Values.database.name | quote }}
- name: ACCORDEER_LOG_FORMAT
  value: {{ $root.Values.logFormat | quote }}
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
{{- if $root.Values.config.secret }}
- name: ACCORDEER_CONFIG_DIR
  value: /etc/accordeer/config
{{- end }}
{{- end -}}

{{- define "accordeer.volumeMounts" -}}
- {name: kafka-ca, mountPath: /etc/accordeer/kafka-ca, readOnly: true}
- {name: db-ca, mountPath: /etc/accordeer/db-ca, readOnly: true}
- {name: tmp, mountPath: /tmp}
{{- if .Values.config.secret }}
- {name: config, mountPath: /etc/accordeer/config, readOnly: true}
{{- end }}
{{- end -}}

{{- define "accordeer.volumes" -}}
- name: kafka-ca
  secret: {secretName: {{ printf "%s-cluster-ca-cert" .Values.kafka.cluster | quote }}, items: [{key: ca.crt, path: ca.crt}]}
- name: db-ca
  secret: {secretName: {{ include "accordeer.databaseCa" . | quote }}, items: [{key: ca.crt, path: ca.crt}]}
- name: tmp
  emptyDir: {sizeLimit: 64Mi}
{{- if .Values.config.secret }}
- name: config
  secret: {secretName: {{ .Values.config.secret | quote }}}
{{- end }}
{{- end -}}

{{- define "accordeer.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "accordeer.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}
{{- end -}}
