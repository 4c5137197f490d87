/// <reference path="./.sst/platform/config.d.ts" />

// Wiring only: every resource's properties live in infra/<concern>.ts (tested offline with Pulumi
// mocks). SST rejects top-level imports here, hence the dynamic imports inside run().
export default $config({
  app(input) {
    return {
      name: "aws-syslog",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
      home: "aws",
      // Must equal the stage config's `region` (checked in run()).
      providers: { aws: { version: "7.20.0", region: (process.env.SYSLOG_REGION ?? "eu-west-1") as aws.Region } },
    };
  },
  async run() {
    const { loadStageConfig } = await import("./infra/stages.js");
    const { StageConfigError } = await import("./infra/errors.js");
    const { drainTimings, logGroupsToCreate, routeTable } = await import("./infra/stage-config.js");
    const { createKeys } = await import("./infra/keys.js");
    const { createLogGroups } = await import("./infra/log-groups.js");
    const { createStorage } = await import("./infra/storage.js");
    const { createFirehose } = await import("./infra/firehose.js");
    const { createFanout } = await import("./infra/fanout.js");
    const { createNetwork, vpcArgs } = await import("./infra/network.js");
    const { createEdge, HEALTH_PORT } = await import("./infra/edge.js");
    const compute = await import("./infra/compute.js");
    const { createEventSourceMapping, forwarderPermissions } = await import("./infra/forwarder-iam.js");
    const { ARCHIVE_FUNCTION_ENVIRONMENT, CLOUDWATCH_FUNCTION_ENVIRONMENT } = await import("./infra/forwarder-runtime.js");
    const { lambdaRuntimePermissions, serviceTrustPolicy } = await import("./infra/iam.js");
    const { createAnalytics } = await import("./infra/analytics.js");
    const { createAlarms } = await import("./infra/alarms.js");

    // 1. Stage configuration: fails here, naming each bad field, before any resource exists.
    const cfg = loadStageConfig($app.stage);
    const { region } = await aws.getRegion({});
    if (region !== cfg.region) throw new StageConfigError([`region: stage config says ${cfg.region} but the AWS provider is in ${region} (set SYSLOG_REGION)`]);
    const accountId = aws.getCallerIdentityOutput({}).accountId;
    const partition = aws.getPartitionOutput({}).partition;
    const name = `syslog-${$app.stage}`;
    const production = $app.stage === "production";
    const routes = routeTable(cfg).routes;

    // 2. Keys and log groups.
    const keys = createKeys({ name, region, accountId, partition, existingKeyArn: cfg.kmsKeyArn, deletionWindowInDays: production ? 30 : 7 });
    const groups = createLogGroups({
      name, region, accountId, partition, create: logGroupsToCreate(cfg), existing: cfg.existingLogGroups,
      retentionInDays: cfg.logRetentionDays, kmsKeyArn: keys.keyArn,
    });

    // 3. Storage and ingest.
    const storage = createStorage({ name, kmsKeyArn: keys.keyArn, stagingExpireDays: cfg.stagingExpireDays, archivePrefix: cfg.archivePrefix, archiveTransitions: cfg.archiveTransitions, archiveExpireDays: cfg.archiveExpireDays, forceDestroy: !production });
    const firehose = createFirehose({ name, count: cfg.firehoseStreamCount, region, accountId, stagingBucketArn: storage.staging.arn, kmsKeyArn: keys.keyArn, retentionInDays: cfg.logRetentionDays });
    // A staging object holds up to Firehose's 64 MiB buffer of gzip NDJSON (~1M records); the
    // forwarder cores measured 40k-75k records per CPU-second, and a 512-1024 MB Lambda has a
    // fraction of a vCPU, so a full object needs minutes, not seconds (SQS visibility = 6x).
    const FUNCTION_TIMEOUT_S = 300;
    const fanout = createFanout({ name, stagingBucketId: storage.staging.bucket.id, stagingBucketArn: storage.staging.arn, accountId, kmsKeyArn: keys.keyArn, functionTimeoutS: FUNCTION_TIMEOUT_S });

    // 4. Network: private subnets in cfg.azCount AZs, endpoints instead of NAT.
    const vpc = new sst.aws.Vpc("Vpc", vpcArgs(cfg));
    const vpcCidr = vpc.nodes.vpc.cidrBlock;
    const network = createNetwork({ name, region, vpcId: vpc.id, vpcCidr, privateSubnetIds: vpc.privateSubnets, privateRouteTableIds: vpc.nodes.privateRouteTables.apply((t) => t.map((x) => x.id)), secretsManager: cfg.nlbMode === "mtls" });

    // 5. Edge: the NLB, its listener per mode, and the security groups.
    const { deregistrationDelayS } = drainTimings(cfg);
    const publicSubnetIds = Array.from({ length: cfg.azCount }, (_, i) => vpc.publicSubnets.apply((s) => s[i]!));
    const edge = createEdge({ name, mode: cfg.nlbMode, certificateArn: cfg.certificateArn, vpcId: vpc.id, vpcCidr, publicSubnetIds, allowedSourceCidrs: cfg.allowedSourceCidrs, relp: cfg.relp, elasticIps: cfg.elasticIps, deregistrationDelayS, s3PrefixListId: network.s3PrefixListId });

    // 6. Compute: the receiver on Fargate behind the NLB target group.
    const secrets = compute.receiverSecrets(cfg);
    const receiverLogGroup = `/aws-syslog/${$app.stage}/receiver`;
    const roles = compute.createReceiverRoles({
      name, streamArns: firehose.streamArns, secretArns: Object.values(secrets),
      logGroupArn: $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${receiverLogGroup}`,
    });
    // Created in the task definition's transform, once the image reference is known.
    let imagePull: aws.iam.RolePolicy | undefined;
    const cluster = new sst.aws.Cluster("Cluster", {
      vpc: { id: vpc.id, securityGroups: [edge.taskSecurityGroup.id], containerSubnets: vpc.privateSubnets, loadBalancerSubnets: vpc.publicSubnets },
    });
    const service = new sst.aws.Service("Receiver", {
      cluster,
      image: { context: ".", dockerfile: "packages/receiver/Dockerfile" },
      architecture: compute.TASK_ARCHITECTURE,
      cpu: compute.TASK_CPU,
      memory: compute.TASK_MEMORY,
      environment: firehose.streamNames.apply((names) => compute.receiverEnvironment(cfg, names, edge.targetPort, edge.relp?.targetPort ?? null)),
      ssm: secrets,
      taskRole: roles.taskRole.name,
      executionRole: roles.executionRole.name,
      scaling: { min: cfg.tasks.min, max: cfg.tasks.max, cpuUtilization: cfg.cpuTargetPercent, memoryUtilization: false },
      logging: { name: receiverLogGroup },
      transform: {
        logGroup: (args) => {
          args.kmsKeyId = keys.keyArn;
          args.retentionInDays = cfg.logRetentionDays;
        },
        taskDefinition: (args) => {
          const definitions = $output(args.containerDefinitions);
          imagePull = compute.createImagePullPolicy(name, roles.executionRole, definitions.apply(compute.containerImage), partition);
          args.containerDefinitions = definitions.apply((json) => compute.hardenContainerDefinitions(json, cfg, [edge.targetPort, ...(edge.relp ? [edge.relp.targetPort] : []), HEALTH_PORT]));
          args.volumes = [{ name: compute.TMP_VOLUME }];
        },
        service: (args, opts) => {
          args.loadBalancers = [
            { targetGroupArn: edge.targetGroup.arn, containerName: "Receiver", containerPort: edge.targetPort },
            ...(edge.relp ? [{ targetGroupArn: edge.relp.targetGroup.arn, containerName: "Receiver", containerPort: edge.relp.targetPort }] : []),
          ];
          args.desiredCount = cfg.tasks.desired;
          args.healthCheckGracePeriodSeconds = 30;
          args.enableExecuteCommand = false; // read-only image, no shell access needed; keeps ssmmessages out of the task role
          if (!imagePull) throw new Error("sst.config.ts: the task definition transform must run before the service's (image pull policy)");
          opts.dependsOn = [edge.listener, ...(edge.relp ? [edge.relp.listener] : []), imagePull];
        },
      },
    });
    compute.createActiveFlowScaling({
      name,
      resourceId: $interpolate`service/${cluster.nodes.cluster.name}/${service.nodes.service.name}`,
      loadBalancerArnSuffix: edge.loadBalancer.arnSuffix,
      targetGroupArnSuffix: edge.targetGroup.arnSuffix,
      flowsPerTask: cfg.activeFlowsPerTask,
    }, { dependsOn: [service.nodes.autoScalingTarget] });

    // 7. Forwarder Lambdas (arm64, Node 22), one queue each, partial batch responses.
    const archivePrefix = cfg.archivePrefix;
    const forwarderLogGroup = (consumer: "cloudwatch" | "archive") => `/aws-syslog/${$app.stage}/forwarder-${consumer}`;
    const forwarder = (consumer: "cloudwatch" | "archive") => {
      const q = fanout.queues[consumer];
      // Our own group (KMS, retention) instead of SST's, so the role can be scoped to it.
      const [logGroup] = createLogGroups({
        name, region, accountId, partition, create: [forwarderLogGroup(consumer)], existing: [],
        retentionInDays: cfg.logRetentionDays, kmsKeyArn: keys.keyArn,
      });
      const permissions = $resolve({
        queueArn: q.queue.arn, stagingBucketArn: storage.staging.arn, archiveBucketArn: storage.archive.arn, keyArn: keys.keyArn,
        logGroupArns: $resolve(groups.map((g) => g.arn)), functionLogGroupArn: logGroup!.arn,
        subnetIds: vpc.privateSubnets, securityGroupId: network.lambdaSecurityGroup.id, account: accountId, part: partition,
      }).apply(({ functionLogGroupArn, subnetIds, securityGroupId, account, part, ...arns }) => [
        ...forwarderPermissions({ consumer, archivePrefix, ...arns }),
        ...lambdaRuntimePermissions({ region, accountId: account, partition: part, logGroupArn: functionLogGroupArn, subnetIds, securityGroupIds: [securityGroupId] }),
      ]);
      const fn = new sst.aws.Function(consumer === "cloudwatch" ? "ForwarderCloudwatch" : "ForwarderArchive", {
        handler: `packages/forwarder/src/handlers/${consumer}.handler`,
        runtime: "nodejs22.x",
        architecture: "arm64",
        timeout: `${FUNCTION_TIMEOUT_S} seconds`,
        memory: consumer === "archive" ? "1024 MB" : "512 MB",
        vpc: { privateSubnets: vpc.privateSubnets, securityGroups: [network.lambdaSecurityGroup.id] },
        permissions,
        logging: { logGroup: logGroup!.name },
        environment: {
          FORWARDER_ROUTES: cfg.routes,
          FORWARDER_ARCHIVE_BUCKET: storage.archive.name,
          FORWARDER_ARCHIVE_PREFIX: archivePrefix,
          // Parquet codec and V8 young generation, measured on Node 22 (infra/forwarder-runtime.ts).
          ...(consumer === "archive" ? ARCHIVE_FUNCTION_ENVIRONMENT : CLOUDWATCH_FUNCTION_ENVIRONMENT),
        },
        transform: {
          role: (args) => {
            // SST 4.17.1 also trusts the account root (its `!dev` tests an Output, always
            // truthy) and attaches AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole
            // (every resource); lambdaRuntimePermissions() grants the same actions, scoped.
            args.assumeRolePolicy = serviceTrustPolicy("lambda.amazonaws.com");
            args.managedPolicyArns = [];
          },
        },
      });
      createEventSourceMapping(`${name}-${consumer}-esm`, { functionArn: fn.arn, queueArn: q.queue.arn });
      return fn;
    };
    const functions = [forwarder("cloudwatch"), forwarder("archive")];

    // 8. Analytics and alarms.
    const analytics = createAnalytics({
      name, archiveBucket: storage.archive.name, archivePrefix, athenaResultsBucket: storage.athenaResults.name, kmsKeyArn: keys.keyArn,
      routeNames: [...routes.map((r) => r.name), "unrouted"], archiveExpireDays: cfg.archiveExpireDays,
      onegateLogGroup: routes.find((r) => r.format === "json")?.logGroup, secureLogGroup: routes.find((r) => r.name === "secure")?.logGroup,
      forceDestroy: !production,
    });
    createAlarms({
      name, kmsKeyArn: keys.keyArn, alarmEmail: cfg.alarmEmail,
      streamNames: firehose.streams.map((s) => s.name),
      dlqNames: Object.values(fanout.queues).map((q) => q.dlq.name),
      queueNames: Object.values(fanout.queues).map((q) => q.queue.name),
      functionNames: functions.map((f) => f.name),
      loadBalancerArnSuffix: edge.loadBalancer.arnSuffix, targetGroupArnSuffix: edge.targetGroup.arnSuffix,
      ...(edge.relp ? { relpTargetGroupArnSuffix: edge.relp.targetGroup.arnSuffix } : {}),
      noDataMinutes: cfg.noDataMinutes,
    });

    return {
      nlbDnsName: edge.loadBalancer.dnsName,
      nlbMode: cfg.nlbMode,
      elasticIps: edge.elasticIps,
      stagingBucket: storage.staging.name,
      archiveBucket: storage.archive.name,
      athenaResultsBucket: storage.athenaResults.name,
      firehoseStreams: firehose.streamNames,
      logGroups: groups.map((g) => g.name),
      receiverLogGroup,
      forwarderLogGroups: [forwarderLogGroup("cloudwatch"), forwarderLogGroup("archive")],
      glueDatabase: analytics.database.name,
      athenaWorkgroup: analytics.workgroup.name,
      kmsKeyArn: keys.keyArn,
      // For `pnpm cli doctor`: the DLQs are auto-named, so their URLs cannot be derived.
      dlqUrls: Object.values(fanout.queues).map((q) => q.dlq.url),
    };
  },
});
