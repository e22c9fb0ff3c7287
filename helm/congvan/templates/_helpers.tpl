{{/* Names ------------------------------------------------------------------------------- */}}

{{- define "congvan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "congvan.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "congvan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels: call with (dict "root" $ "component" "web") ----------------------------------- */}}

{{- define "congvan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "congvan.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "congvan.labels" -}}
helm.sh/chart: {{ include "congvan.chart" .root }}
{{ include "congvan.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: congvan
{{- end -}}

{{/* Image and base domain ------------------------------------------------------------------ */}}

{{- define "congvan.image" -}}
{{- $repository := required "image.repository is required (no public image exists yet: see helm/README.md)" .Values.image.repository -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "congvan.baseDomain" -}}
{{- required "baseDomain is required: tenants are served at <slug>.<baseDomain>" .Values.baseDomain | lower | trimSuffix "." -}}
{{- end -}}

{{/* Environment ---------------------------------------------------------------------------- */}}

{{/* Non-secret settings as env entries (the migration job cannot use the ConfigMap: a
     pre-install hook runs before the release's ConfigMap exists). */}}
{{- define "congvan.configEnv" -}}
- name: CONGVAN_BASE_DOMAIN
  value: {{ include "congvan.baseDomain" . | quote }}
- name: CONGVAN_VAR_DIR
  value: /var/lib/congvan
{{- range $key, $value := .Values.config }}
- name: {{ $key }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Secret settings, from existing Secrets. */}}
{{- define "congvan.secretEnv" -}}
{{- $s := .Values.secrets -}}
- name: CONGVAN_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $s.database.name }}
      key: {{ $s.database.urlKey }}
- name: CONGVAN_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.secretKey.name }}
      key: {{ $s.secretKey.key }}
- name: CONGVAN_BROKER_URL
  valueFrom:
    secretKeyRef:
      name: {{ $s.broker.name }}
      key: {{ $s.broker.key }}
- name: CONGVAN_STORAGE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $s.storage.name }}
      key: {{ $s.storage.urlKey }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $s.storage.name }}
      key: {{ $s.storage.accessKeyIdKey }}
      optional: true
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.storage.name }}
      key: {{ $s.storage.secretAccessKeyKey }}
      optional: true
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod plumbing shared by web, worker and the migration job -------------------------------- */}}

{{- define "congvan.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .Values.serviceAccountName }}
serviceAccountName: {{ .Values.serviceAccountName }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* Writable folders under a read-only root filesystem. */}}
{{- define "congvan.volumes" -}}
- name: tmp
  emptyDir: {}
- name: var
  emptyDir: {}
{{- end -}}

{{- define "congvan.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: var
  mountPath: /var/lib/congvan
{{- end -}}
