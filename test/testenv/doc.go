// Package testenv runs real Kubernetes API servers for tests and the
// sandbox: per cluster one etcd and one kube-apiserver (built by
// hack/testbin/build.sh into bin/testbin) on free loopback ports, with
// certificates generated here, a static admin token (system:masters),
// service-account signing keys (so TokenRequest issues real tokens), RBAC
// authorization, and a stand-in kubelet (package test/kubelet) behind the
// cluster's only Node so pod logs travel through the apiserver's real
// pods/log proxy.
//
// What is deliberately absent: no controller-manager, scheduler or
// garbage collector runs. Objects keep exactly the status they are given,
// ownerReferences do not cascade, namespaces stay Terminating once
// deleted, and Deployments create no pods. For the same reason the
// ServiceAccount, TaintNodesByCondition and StorageObjectInUseProtection
// admission plugins are disabled (see StartCluster).
//
// Entry points: StartCluster / NewCluster for one cluster, StartPair /
// TwoClusters for the MTC host+source pair (CRDs installed, MigClusters
// wired with a real token), StartKarmadaPair / NewKarmadaPair for a Karmada
// control plane with one joined member. The testing helpers skip when the
// binaries are missing unless KUBECTL_MIG_REQUIRE_TESTBIN is set.
package testenv
