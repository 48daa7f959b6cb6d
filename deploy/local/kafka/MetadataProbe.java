import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Readiness probe for deploy/local/kafka.sh: succeeds once the broker answers real metadata
 * requests (DescribeCluster + Metadata for the topic list), not merely once the port is open,
 * and its group coordinator, transaction coordinator and producer-id allocation work. Asking
 * for them creates __consumer_offsets and __transaction_state on a fresh broker and fetches the
 * first producer-id block from the controller, so the first test's consumer group or idempotent
 * producer does not meet COORDINATOR_LOAD_IN_PROGRESS.
 * Runs with the broker's own classpath as a single-file source program (java MetadataProbe.java).
 *
 * Usage: java MetadataProbe.java <bootstrap> <deadlineSeconds> [brokerPid]
 * Exit 0 ready; 1 deadline passed; 2 the broker process died while we waited.
 */
public class MetadataProbe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Long brokerPid = args.length > 2 ? Long.valueOf(args[2]) : null;
    String lastError = "no attempt made";
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    try (Admin admin = Admin.create(config)) {
      while (System.nanoTime() < deadline) {
        if (brokerPid != null && ProcessHandle.of(brokerPid).map(p -> !p.isAlive()).orElse(true)) {
          System.err.println("broker process " + brokerPid + " exited while waiting for it");
          System.exit(2);
        }
        try {
          DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000));
          int brokers = cluster.nodes().get(4, TimeUnit.SECONDS).size();
          String controller = String.valueOf(cluster.controller().get(4, TimeUnit.SECONDS));
          int topics = admin.listTopics(new ListTopicsOptions().listInternal(true).timeoutMs(3000))
              .names().get(4, TimeUnit.SECONDS).size();
          if (brokers == 0) {
            lastError = "cluster reports no brokers yet";
          } else {
            warmUpCoordinators(admin, bootstrap);
            System.out.println("metadata ok: clusterId=" + cluster.clusterId().get() + " brokers=" + brokers
                + " controller=" + controller + " topics=" + topics + "; group + transaction coordinators and producer ids ready");
            System.exit(0);
          }
        } catch (Exception e) {
          lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Thread.sleep(300);
      }
    }
    System.err.println("no ready answer from " + bootstrap + " before the deadline; last error: " + lastError);
    System.exit(1);
  }

  /** Throws (so the caller retries) until the group coordinator answers and a producer id is handed out. */
  private static void warmUpCoordinators(Admin admin, String bootstrap) throws Exception {
    String probeId = "kafka-sh-readiness-probe";
    admin.listConsumerGroupOffsets(probeId).partitionsToOffsetAndMetadata().get(4, TimeUnit.SECONDS);
    // initTransactions = FindCoordinator(TRANSACTION) + InitProducerId: loads the transaction
    // coordinator and the broker's producer-id block, which idempotent producers also draw from.
    Map<String, Object> producerConfig = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, probeId,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
      producer.initTransactions();
    }
  }
}
