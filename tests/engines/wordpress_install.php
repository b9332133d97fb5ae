<?php
// Install WordPress and publish the engine matrix's posts, as an editor would: run by
// tests/engines/wordpress.py with `php` (WP-CLI is not packaged), the site JSON as argv[1]
// (`php -r` defines ABSPATH as the site's tree first).
define('WP_INSTALLING', true);
$site = json_decode(file_get_contents($argv[1]), true);
require_once ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';

$result = wp_install($site['name'], 'admin', 'admin@example.org', true, '', 'correct horse battery');
// wp_install's own sample content: "Hello world!", its comment, "Sample Page", the privacy draft.
foreach (get_posts(['post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1]) as $sample) {
    wp_delete_post($sample->ID, true);
}
foreach (get_comments() as $sample) {
    wp_delete_comment($sample->comment_ID, true);
}
update_option('blogdescription', $site['description']);
update_option('posts_per_page', $site['per_page']);
update_option('timezone_string', 'UTC');
update_option('default_comment_status', 'open');
update_option('close_comments_for_old_posts', 0);
update_option('show_avatars', 0);
update_option('date_format', 'F j, Y');
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
$wp_rewrite->set_category_base('category');
$wp_rewrite->set_tag_base('tag');

$users = [];
foreach ($site['authors'] as $login => $name) {
    [$first, $last] = explode(' ', $name, 2);
    $id = wp_insert_user([
        'user_login' => $login,
        'user_pass' => 'correct horse battery',
        'user_email' => $login . '@example.org',
        'display_name' => $name,
        'first_name' => $first,
        'last_name' => $last,
        'nickname' => $name,
        'role' => 'author',
    ]);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    $users[$name] = $id;
}

foreach ($site['posts'] as $post) {
    $category = wp_create_category($post['category']);
    $id = wp_insert_post([
        'post_title' => $post['title'],
        'post_name' => $post['slug'],
        'post_content' => $post['content'],
        'post_status' => 'publish',
        'post_author' => $users[$post['author']],
        'post_date' => $post['date'],
        'post_date_gmt' => $post['date'],
        'post_category' => [$category],
        'comment_status' => 'open',
    ], true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    wp_set_post_terms($id, $post['tags'], 'post_tag');
    if ($post['comment']) {
        wp_insert_comment([
            'comment_post_ID' => $id,
            'comment_author' => $site['comment_author'],
            'comment_author_email' => 'reader@example.org',
            'comment_content' => $site['comment_text'],
            'comment_approved' => 1,
            'comment_date' => $post['comment_date'],
            'comment_date_gmt' => $post['comment_date'],
        ]);
    }
}

$about = wp_insert_post([
    'post_type' => 'page',
    'post_title' => $site['about_title'],
    'post_name' => 'about',
    'post_content' => $site['about_content'],
    'post_status' => 'publish',
    'post_author' => 1,
    'comment_status' => 'closed',
], true);
if (is_wp_error($about)) {
    fwrite(STDERR, $about->get_error_message() . "\n");
    exit(1);
}
switch_theme($site['theme']);
flush_rewrite_rules(false);
echo "installed\n";
